import { describe, expect, inject, it } from "vitest";
import { check } from "../../src/commands/check.js";
import { findExercise } from "../../src/workspace/catalogue.js";
import { labRunOptions, tempDir } from "../support/lab.js";

describe("the course: every new exercise's starter fails with its cause, its solution passes", () => {
  it.each([
    "01-shared-sessions-flask",
    "02-logout-everywhere",
    "03-expiring-sessions",
    "04-redis-outage",
    "05-redis-failover-flask",
    "06-redis-cluster",
    "06-redis-cluster-flask",
    "07-session-races",
  ])(
    "%s",
    async (id) => {
      const exercise = await findExercise(id);
      await using starterDir = await tempDir();
      await using solutionDir = await tempDir();
      const options = (dir: string, solution: boolean) =>
        labRunOptions(dir, { exercise: id, solution, redisUrl: inject("redisUrl") });
      const [starter, solution] = await Promise.all([
        check(options(starterDir.path, false)),
        check(options(solutionDir.path, true)),
      ]);
      expect(starter.exitCode).toBe(1);
      expect(starter.causeId).toBe(exercise.starterCause);
      // On a failure, say which scenario and what it saw.
      const failing = solution.scenarios.filter((s) => s.status !== "pass");
      expect(
        failing.map((s) => `${s.id}: ${s.summary}\n${(s.lastLines ?? []).join("\n")}`),
      ).toEqual([]);
      expect(solution.verdict).toBe("pass");
      expect(solution.scenarios.map((s) => s.id)).toEqual(exercise.scenarios);
    },
    60_000,
  );
});
