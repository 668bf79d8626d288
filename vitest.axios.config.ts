import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests of every route a token can take, on one axios version: `AAA_AXIOS` names an npm alias
 * in package.json (`axios-lowest` is 1.8.4, `axios-1.12`, `axios-1.19`, `axios-1.20`); every import
 * of `axios` in the tests and in the source resolves to it. `.ci/axios-matrix.sh` runs them all.
 */
const alias = process.env['AAA_AXIOS'] ?? 'axios';
const config = mergeConfig(base, defineConfig({ resolve: { alias: [{ find: /^axios$/, replacement: alias }] } }));
// Set after the merge, which would add to the base's list rather than replace it.
// `AAA_AXIOS_SUITE=unit`: the whole unit suite (what `npm test` runs but the browser, the
// end-to-end and the Next.js tests, which run on the oldest peers in vitest.peers.config.ts).
const whole = process.env['AAA_AXIOS_SUITE'] === 'unit';
config.test = {
  ...config.test,
  ...(whole && { exclude: ['test/browser/**', 'test/e2e/**', 'test/nextjs/**', 'node_modules/**'] }),
  include: whole
    ? ['test/**/*.test.ts']
    : [
        'test/redirect-following.test.ts',
        'test/redirects.test.ts',
        'test/routes.test.ts',
        'test/differential.test.ts',
        'test/redirect-differential.test.ts',
        'test/hostile-urls.test.ts',
        'test/iam/install.test.ts',
      ],
};
export default config;
