import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CheckReport } from "../../src/model/check-report.js";
import { findRedis } from "../../src/redis/discover.js";
import type { RedisInUse } from "../../src/redis/server.js";
import { runCheck, tempDir } from "./lab.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/frameworks");

/** The Python that has the fixtures' modules: python3 on PATH, else Debian's own. */
export function pythonWith(modules: string): string {
  const found = ["python3", "/usr/bin/python3"].find((python) => {
    try {
      execFileSync(python, ["-c", `import ${modules}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  if (!found)
    throw new Error(`no python3 can import ${modules}: npm run prerequisites installs them`);
  return found;
}

/** What a fixture variant must get: a pass, or a failure with this causeId, confirmed. */
export type Expected = "pass" | { causeId: string; scenario?: string };

function failing(report: CheckReport) {
  return report.scenarios.find((s) => s.status === "fail" || s.status === "error");
}

/**
 * Grades every variant of one framework's fixture (FIXTURE_MISTAKE) with a real check: 2
 * instances, REDIS_URL naming database 2 of the suite's Redis (so an app that ignores the
 * database is caught), and a second Redis for the app that names its own.
 */
export function gradeFramework(
  name: string,
  command: (fixtures: string) => string,
  variants: Record<string, Expected>,
): void {
  describe(`${name}: verdict and cause decided by observation`, () => {
    let elsewhere: RedisInUse;
    beforeAll(async () => {
      elsewhere = await findRedis({
        chosen: undefined,
        env: process.env,
        localUrl: "redis://127.0.0.1:1",
      });
    });
    afterAll(async () => {
      await elsewhere?.close();
    });

    it.each(Object.entries(variants))("%s", async (mistake, expected) => {
      await using dir = await tempDir();
      const { report } = await runCheck(
        dir.path,
        { cmd: command(FIXTURES), redisUrl: `${inject("redisUrl")}/2` },
        {
          ...(mistake === "correct" ? {} : { FIXTURE_MISTAKE: mistake }),
          FIXTURE_OTHER_REDIS_URL: elsewhere.url,
        },
      );
      const first = failing(report);
      const seen = `${report.verdict} ${first?.id ?? ""} ${first?.causeId ?? ""} (${first?.confidence ?? ""}): ${first?.summary ?? ""}: ${first?.cause ?? ""}\n${(first?.lastLines ?? []).join("\n")}\n${(first?.evidence ?? []).join("\n")}\nobservation: ${JSON.stringify(report.observation)}\nexperiments: ${(first?.experiments ?? []).map((e) => `${e.name}: ${e.saw}`).join("\n")}`;
      if (expected === "pass") {
        expect(report.verdict, seen).toBe("pass");
        return;
      }
      expect(report.verdict, seen).toBe("fail");
      expect(first?.causeId, seen).toBe(expected.causeId);
      if (expected.scenario) expect(first?.id, seen).toBe(expected.scenario);
      expect(first?.confidence, seen).toBe("confirmed");
      expect(first?.evidence?.length ?? 0, seen).toBeGreaterThan(0);
    });
  });
}

/** The mistakes every Node fixture has, and the cause each must be named by. */
export const NODE_VARIANTS: Record<string, Expected> = {
  correct: "pass",
  "secret-per-instance": { causeId: "secret-mismatch", scenario: "shared" },
  "prefix-per-instance": { causeId: "per-instance-prefix", scenario: "shared" },
  "db-per-instance": { causeId: "per-instance-db", scenario: "shared" },
  memory: { causeId: "memory-store", scenario: "shared" },
  "other-database": { causeId: "other-database", scenario: "store-evidence" },
  "other-redis": { causeId: "other-redis", scenario: "store-evidence" },
  "path-cookie": { causeId: "cookie-not-returned", scenario: "shared" },
  "short-ttl": { causeId: "short-ttl" },
  "late-write": { causeId: "late-write", scenario: "shared" },
  "clear-on-start": { causeId: "store-cleared-on-start", scenario: "restart" },
};
