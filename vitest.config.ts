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

/**
 * The tests of processes (daemon detection, leftovers of a SIGKILLed run, naming a port's
 * holder, teardown), run a second time with the ps + lsof implementation that macOS uses
 * (SESSION_LAB_PLATFORM=unix), for real on Linux: the project "unix". Elsewhere the
 * machine's own implementation is that one already (macOS) or none of it applies (Windows).
 */
const PROCESS_TESTS = [
  "test/e2e/signals.test.ts",
  "test/e2e/never-hang.test.ts",
  "test/integration/start.test.ts",
  "test/integration/check.test.ts",
  "test/integration/redis-watch.test.ts",
];
const unixPlatform = {
  extends: true as const,
  test: {
    name: "unix",
    include: PROCESS_TESTS,
    env: { SESSION_LAB_PLATFORM: "unix" },
    globalSetup: ["test/support/global-redis.ts"],
  },
};

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
      ...(process.platform === "linux" ? [unixPlatform] : []),
    ],
  },
});
