import { defineConfig } from "vitest/config";

/** The tiers that need a Redis: the suite's own private one, started once per tier. */
const withRedis = (name: string) => ({
  extends: true as const,
  test: {
    name,
    include: [`test/${name}/**/*.test.ts`],
    globalSetup: ["test/support/global-redis.ts"],
  },
});

export default defineConfig({
  test: {
    setupFiles: ["test/support/leak-guard.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real processes on real ports: two files at a time is what a 2-core machine does well.
    maxWorkers: 2,
    projects: [
      // Pure modules only: no Redis, no processes, no build; seconds (`npm run test:unit`).
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      withRedis("integration"),
      withRedis("e2e"),
      withRedis("browser"),
    ],
  },
});
