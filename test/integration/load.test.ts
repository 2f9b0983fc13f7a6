import { describe, expect, inject, it } from "vitest";
import { type LoadOptions, load } from "../../src/commands/load.js";
import type { LabEvent } from "../../src/events.js";
import { connectRedis } from "../../src/redis/inspect.js";
import { loadState } from "../../src/workspace/state.js";
import { labRunOptions, runStart, tempDir } from "../support/lab.js";

async function loadWith(dir: string, overrides: Partial<LoadOptions> = {}) {
  const events: LabEvent[] = [];
  const report = await load({
    ...labRunOptions(dir, { emit: (e) => events.push(e) }),
    users: 10,
    durationMs: 30_000,
    requests: 400,
    ...overrides,
  });
  return { report, events };
}

describe("load", () => {
  it("against the starter, about half of the reads lose the session, on both instances", async () => {
    await using dir = await tempDir();
    const { report, events } = await loadWith(dir.path);
    expect(report.requests).toBe(400);
    expect(report.reads).toBe(390); // each of the 10 users set its value once
    const share = report.lost / report.reads;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.7);
    expect(report.perInstance).toHaveLength(2);
    for (const instance of report.perInstance) expect(instance.lost).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: "load:end" });
  });

  it("against the solution, no read loses the session, and its throwaway sessions are cleaned up", async () => {
    await using dir = await tempDir();
    const { report } = await loadWith(dir.path, { solution: true });
    expect(report.lost).toBe(0);
    expect(report.errors).toBe(0);
    expect(report.reads).toBe(390);
    expect(report.requestsPerSecond).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    const redis = await connectRedis(inject("redisUrl"));
    try {
      // This workspace's throwaway keys only: other test files may be running at the same time.
      const { workspaceId } = await loadState(dir.path);
      const [, keys] = await redis.scan(
        "0",
        "MATCH",
        `session-lab:${workspaceId}:*`,
        "COUNT",
        10_000,
      );
      expect(keys).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it("drives a running start through --url", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, solution: true });
    try {
      const { report } = await loadWith(dir.path, { url: lab.proxyUrl, requests: 200 });
      expect(report.target).toBe(lab.proxyUrl);
      expect(report.lost).toBe(0);
      expect(report.perInstance.map((i) => i.port)).toEqual(lab.ports.slice(1));
    } finally {
      await lab.stop();
    }
  });
});
