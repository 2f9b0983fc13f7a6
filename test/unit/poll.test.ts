import { describe, expect, it } from "vitest";
import { pollUntil } from "../../src/poll.js";

describe("pollUntil", () => {
  it("returns the first truthy value, looking again between", async () => {
    let looks = 0;
    const value = await pollUntil(() => (++looks === 3 ? "there" : undefined), {
      timeoutMs: 5000,
      everyMs: 1,
    });
    expect(value).toBe("there");
    expect(looks).toBe(3);
  });

  it("gives up when time runs out, with the last falsy value", async () => {
    let looks = 0;
    const value = await pollUntil(
      () => {
        looks++;
        return false;
      },
      { timeoutMs: 30, everyMs: 5 },
    );
    expect(value).toBe(false);
    expect(looks).toBeGreaterThan(1);
  });

  it("looks once with no time at all", async () => {
    let looks = 0;
    await pollUntil(
      () => {
        looks++;
        return false;
      },
      { timeoutMs: 0, everyMs: 5 },
    );
    expect(looks).toBe(1);
  });

  it("stops waiting at once when aborted", async () => {
    const controller = new AbortController();
    const began = Date.now();
    const polled = pollUntil(() => false, {
      timeoutMs: 60_000,
      everyMs: 30_000,
      signal: controller.signal,
    });
    controller.abort();
    expect(await polled).toBe(false);
    expect(Date.now() - began).toBeLessThan(5000);
  });
});
