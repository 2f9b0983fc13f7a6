import { describe, expect, it } from "vitest";
import { createRoundRobin } from "../../src/proxy/round-robin.js";

function picks(count: number, times: number, isUp?: (i: number) => boolean): number[] {
  const next = createRoundRobin(count);
  return Array.from({ length: times }, () => next(isUp));
}

describe("createRoundRobin", () => {
  it.each([
    [1, 3, [0, 0, 0]],
    [2, 5, [0, 1, 0, 1, 0]],
    [3, 7, [0, 1, 2, 0, 1, 2, 0]],
    [32, 33, [...Array.from({ length: 32 }, (_, i) => i), 0]],
  ])("takes %i upstreams strictly in turn", (count, times, expected) => {
    expect(picks(count, times)).toEqual(expected);
  });

  it("skips upstreams that are down and keeps the order of the others", () => {
    expect(picks(3, 5, (i) => i !== 1)).toEqual([0, 2, 0, 2, 0]);
  });

  it("returns -1 when no upstream is up", () => {
    expect(picks(3, 2, () => false)).toEqual([-1, -1]);
  });

  it("resumes after the last pick when an upstream comes back", () => {
    const next = createRoundRobin(3);
    let down = true;
    const isUp = (i: number) => !(down && i === 1);
    expect([next(isUp), next(isUp)]).toEqual([0, 2]);
    down = false;
    expect([next(isUp), next(isUp), next(isUp)]).toEqual([0, 1, 2]);
  });
});
