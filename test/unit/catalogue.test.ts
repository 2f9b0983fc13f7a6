import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { findExercise, listExercises } from "../../src/workspace/catalogue.js";
import { nextExercise } from "../../src/workspace/progress.js";

describe("exercise catalogue", () => {
  it("finds exercise 01 by id, number or prefix, and by default", async () => {
    for (const name of [undefined, "01-shared-sessions", "1", "01", "01-shared"]) {
      expect((await findExercise(name)).id).toBe("01-shared-sessions");
    }
  });

  it.each(["0", "0-", "00", "99", "shared"])("finds no exercise called %j", async (name) => {
    await expect(findExercise(name)).rejects.toThrow(UsageError);
  });

  it("names the exercises there are when asked for one that is not", async () => {
    const error = await findExercise("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('There is no exercise called "nope".');
    for (const exercise of await listExercises()) {
      expect((error as UsageError).hint).toContain(exercise.id);
    }
  });

  it("gives every exercise a title, a goal, an entry file and progressive hints", async () => {
    for (const exercise of await listExercises()) {
      expect(exercise.title).toBeTruthy();
      expect(exercise.goal).toBeTruthy();
      expect(exercise.entry).toMatch(/\.(m?js|py)$/);
      expect(exercise.hints.length).toBeGreaterThanOrEqual(3);
    }
  });

  it.each([
    ["01-shared-sessions", "02-logout-everywhere"],
    ["01-shared-sessions-flask", "02-logout-everywhere"],
    ["04-redis-outage", "05-redis-failover"],
    ["05-redis-failover", "06-redis-cluster"],
    ["05-redis-failover-flask", "06-redis-cluster-flask"],
    ["06-redis-cluster-flask", "07-session-races"],
  ])(
    "after %s comes %s (the next one's twin in the same track, when there is one)",
    async (id, next) => {
      expect((await nextExercise(await findExercise(id)))?.id).toBe(next);
    },
  );
});
