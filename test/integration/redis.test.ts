import { describe, expect, inject, it } from "vitest";
import { RedisUnavailableError } from "../../src/errors.js";
import { exitCodeFor } from "../../src/main.js";
import { findRedis } from "../../src/redis/discover.js";
import { redisAnswers } from "../../src/redis/inspect.js";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

/** A URL where surely no Redis answers: a free port. */
async function nowhere(): Promise<string> {
  const [port] = await findFreePorts(1);
  return `redis://127.0.0.1:${port}`;
}

describe("finding a Redis", () => {
  it("uses the Redis named by --redis-url or REDIS_URL first", async () => {
    const url = inject("redisUrl");
    const named = await findRedis({
      chosen: { url, source: "REDIS_URL" },
      env: process.env,
      localUrl: await nowhere(),
    });
    expect(named).toMatchObject({ url, source: "REDIS_URL" });
    await named.close();
    expect(await redisAnswers(url)).toBe(true); // borrowed, so not stopped
  });

  it("uses a Redis answering on the local address next", async () => {
    const url = inject("redisUrl");
    const local = await findRedis({ chosen: undefined, env: process.env, localUrl: url });
    expect(local.source).toBe(`found on ${new URL(url).host}`);
  });

  it("starts a private redis-server when none answers, and stops it on close", async () => {
    const redis = await findRedis({
      chosen: undefined,
      env: process.env,
      localUrl: await nowhere(),
    });
    expect(redis.source).toMatch(/^started its own: redis-server on :\d+/);
    expect(await redisAnswers(redis.url)).toBe(true);
    await redis.close();
    expect(await redisAnswers(redis.url, 300)).toBe(false);
  });

  it("names the ways to get Redis when there is none and redis-server is not installed", async () => {
    await using dir = await tempDir(); // an empty folder as the whole PATH: no redis-server there
    const env = { ...process.env, PATH: dir.path };
    const error = await findRedis({ chosen: undefined, env, localUrl: await nowhere() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as RedisUnavailableError).message).toMatch(
      /none was named, and redis-server is not installed\.$/,
    );
    expect((error as RedisUnavailableError).hint).toMatch(
      /apt-get install redis-server.*brew install redis.*docker run.*--redis-url/,
    );
    expect(exitCodeFor({ error })).toBe(2);
  });

  it("says which named Redis does not answer, with its password masked", async () => {
    const url = (await nowhere()).replace("redis://", "redis://ada:s3cret@");
    const error = await findRedis({
      chosen: { url, source: "--redis-url" },
      env: process.env,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^The Redis named by --redis-url: Redis at redis:\/\/ada:\*\*\*@127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED.*\)\.$/,
    );
    expect((error as Error).message).not.toContain("s3cret");
  });
});
