import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The end-to-end suite against the oldest peers that package.json accepts, installed as npm
 * aliases (`aws-amplify-lowest`, `axios-lowest`): every import of `aws-amplify…` and `axios`, the
 * built package's included, resolves to them.
 */
const config = mergeConfig(
  base,
  defineConfig({
    resolve: {
      alias: [
        { find: /^aws-amplify(\/.*)?$/, replacement: 'aws-amplify-lowest$1' },
        { find: /^axios$/, replacement: 'axios-lowest' },
      ],
    },
  }),
);
// Set after the merge, which would add to the base's list rather than replace it.
config.test = { ...config.test, include: ['test/e2e/**/*.test.ts', 'test/peers.test.ts'] };
export default config;
