import { describe, expect, it } from "vitest";
import { connectRedis, redisAnswers } from "../../src/redis/inspect.js";
import { startSentinelRedis } from "../../src/redis/sentinel-redis.js";

describe("the lab's own Sentinel set-up (exercise 05)", () => {
  it("fails over, demotes the old primary, and leaves nothing running", async () => {
    const redis = await startSentinelRedis(process.env);
    const sentinels = (redis.env.REDIS_SENTINELS ?? "").split(",");
    try {
      expect(sentinels).toHaveLength(3);
      const old = await redis.failover.primary();
      expect(old).toBe(redis.url.replace("redis://", ""));
      await redis.failover.failover();
      const now = await redis.failover.waitForNewPrimary(old as string, 10_000);
      expect(now).toBeDefined();
      expect(now).not.toBe(old);
      await redis.failover.demote(old as string, now as string);
      const client = await connectRedis(`redis://${old}`);
      try {
        await expect(client.set("session-lab:test", "1")).rejects.toThrow(/READONLY/);
      } finally {
        client.disconnect();
      }
      expect(await redis.failover.waitForReplica(10_000)).toBe(true);
    } finally {
      await redis.close();
    }
    for (const address of [redis.url.replace("redis://", ""), ...sentinels])
      expect(await redisAnswers(`redis://${address}`, 300)).toBe(false);
  }, 40_000);
});
