import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 20_000,
    // Most test files wait (on local servers, Cognito, Chromium, timers) rather than compute: three
    // at a time on two cores halves the suite's time (vitest's default would be one, cores − 1).
    maxWorkers: 3,
    // A listener or a refresh that rejects unseen is a bug: fail the run on it.
    dangerouslyIgnoreUnhandledErrors: false,
  },
});
