import { afterEach, describe, expect, it, vi } from "vitest";
import { findFreePortRange } from "../../src/processes/ports.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("free ports chosen by one process", () => {
  it("never hands out a port it chose before and nothing listens on yet", async () => {
    // The lab's own ports and its Redis Cluster's are chosen at the same moment and listened
    // on seconds later; here both draw the same random base, as they may by chance.
    vi.spyOn(Math, "random").mockReturnValueOnce(0.5).mockReturnValueOnce(0.5);
    const lab = await findFreePortRange(3);
    const cluster = await findFreePortRange(12);
    expect(cluster.filter((p) => lab.includes(p))).toEqual([]);
    expect(cluster).toHaveLength(12);
    expect(cluster.every((p, i) => i === 0 || p === (cluster[i - 1] as number) + 1)).toBe(true);
  });
});
