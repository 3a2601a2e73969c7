import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test shells out to helm; on a loaded 2-core machine a render can take seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The real-Tempo suites spend most of their time waiting on Tempo (readiness, the search cutoff):
    // more of their tests at once, and two files at once, keep the machine's two cores busy.
    maxConcurrency: 10,
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
