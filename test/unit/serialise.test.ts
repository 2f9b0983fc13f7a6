import { describe, expect, it, vi } from "vitest";
import { serialise } from "../../src/lab/serialise.js";

describe("serialise", () => {
  it("runs once more after a burst of calls, not once per call", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const { run, idle } = serialise(async () => {
      runs++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const first = run();
    const burst = [run(), run(), run()];
    release();
    await first;
    await vi.waitFor(() => expect(runs).toBe(2));
    release();
    await Promise.all(burst);
    await idle();
    expect(runs).toBe(2);
  });

  it("hands a failed run's error to its callers, and runs again on the next call", async () => {
    let fail = true;
    const { run, idle } = serialise(async () => {
      if (fail) throw new Error("the restart broke");
    });
    await expect(run()).rejects.toThrow("the restart broke");
    await idle();
    fail = false;
    await expect(run()).resolves.toBeUndefined();
  });

  it("a queued run's failure reaches the calls that waited for it, not the one before", async () => {
    let calls = 0;
    const { run } = serialise(async () => {
      calls++;
      await Promise.resolve();
      if (calls === 2) throw new Error("second run failed");
    });
    const first = run();
    const second = run();
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow("second run failed");
  });
});
