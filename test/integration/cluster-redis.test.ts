import { describe, expect, it } from "vitest";
import { startClusterRedis } from "../../src/redis/cluster-redis.js";
import { connectRedis, redisAnswers } from "../../src/redis/inspect.js";

describe("the lab's own Redis Cluster (exercise 06)", () => {
  it("comes up with three primaries and three replicas, and leaves nothing running", async () => {
    const started = performance.now();
    const redis = await startClusterRedis(process.env);
    try {
      expect(redis.nodes).toHaveLength(6);
      expect(redis.env.REDIS_CLUSTER_NODES?.split(",")).toHaveLength(6);
      const client = await connectRedis(redis.url);
      try {
        const nodes = String(await client.call("CLUSTER", "NODES"));
        const roles = nodes
          .trim()
          .split("\n")
          .map((line) => (line.split(" ")[2] ?? "").replace("myself,", ""));
        expect(roles.filter((r) => r === "master")).toHaveLength(3);
        expect(roles.filter((r) => r === "slave")).toHaveLength(3);
        // A plain client meets MOVED for a key another primary owns.
        const moved = await Promise.all(
          ["a", "b", "c", "d"].map((k) =>
            client.get(`session-lab:${k}`).catch((e: Error) => e.message),
          ),
        );
        expect(moved.some((m) => typeof m === "string" && m.startsWith("MOVED"))).toBe(true);
      } finally {
        client.disconnect();
      }
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      await redis.close();
    }
    for (const node of redis.nodes) expect(await redisAnswers(`redis://${node}`, 300)).toBe(false);
  }, 40_000);
});
