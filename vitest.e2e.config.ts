import { defineConfig } from 'vitest/config';

/**
 * `npm run test:e2e`: the end-to-end test (test/e2e/), which starts the simulator, the exporter,
 * Prometheus and Alertmanager on loopback. Each test and hook sets its own timeout; together they
 * bound the run under 10 minutes. Kept out of vitest.config.ts so `npm test` stays fast.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    // The end-of-run secret grep over captured output (the exporter's log lines included).
    globalSetup: ['test/global-teardown.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default'],
  },
});
