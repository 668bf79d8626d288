import { defineConfig } from 'vitest/config';

/**
 * examples/nextjs end to end (`bash .ci/nextjs.sh` installs it and runs this): not part of the
 * default `npx vitest run`, whose include (`test/**\/*.test.ts`) does not match `*.nextjs.ts`.
 */
export default defineConfig({
  test: {
    include: ['test/nextjs/**/*.nextjs.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
