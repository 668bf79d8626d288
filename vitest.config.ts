import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    // A listener or a refresh that rejects unseen is a bug: fail the run on it.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
