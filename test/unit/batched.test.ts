import { describe, expect, it } from "vitest";
import { batched } from "../../src/batched.js";

/** A look whose answers the test hands out: each look answers with its own number. */
function looks() {
  const pending: (() => void)[] = [];
  let begun = 0;
  let idle = 0;
  const batch = batched(
    () => {
      const n = ++begun;
      return new Promise<number>((resolve) => pending.push(() => resolve(n)));
    },
    () => {
      idle++;
    },
  );
  return {
    batch,
    begun: () => begun,
    idle: () => idle,
    /** Ends the oldest look under way, and lets what follows it run. */
    async finish() {
      pending.shift()?.();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe("batched look-ups", () => {
  it("begins a look at once when none is under way", async () => {
    const l = looks();
    const a = l.batch.next();
    expect(l.begun()).toBe(1);
    await l.finish();
    expect(await a).toBe(1);
    expect(l.idle()).toBe(1);
  });

  it("serves every call made during a look with one next look, begun after they asked", async () => {
    const l = looks();
    const first = l.batch.next();
    const during = Array.from({ length: 15 }, () => l.batch.next());
    // Nothing more begins while the first look runs.
    expect(l.begun()).toBe(1);
    await l.finish();
    expect(await first).toBe(1);
    // One more look for the fifteen, not the first's answer (it began before they asked).
    expect(l.begun()).toBe(2);
    expect(l.idle()).toBe(0);
    await l.finish();
    expect(await Promise.all(during)).toEqual(Array(15).fill(2));
    expect(l.idle()).toBe(1);
  });

  it("gives a failed look's callers its error, and still begins the next one", async () => {
    let n = 0;
    const batch = batched(
      async () => {
        n++;
        if (n === 1) throw new Error("gone");
        return n;
      },
      () => {},
    );
    const first = batch.next();
    const second = batch.next();
    await expect(first).rejects.toThrow("gone");
    expect(await second).toBe(2);
  });
});
