import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores on every machine of this project: keep the worker count honest.
    maxWorkers: 2,
    testTimeout: 300_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
