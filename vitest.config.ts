import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-redis.ts"],
    setupFiles: ["test/support/leak-guard.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real processes on real ports: two files at a time is what a 2-core machine does well.
    maxWorkers: 2,
  },
});
