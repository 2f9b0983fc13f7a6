import { Redis } from "ioredis";
import { RedisUnavailableError } from "../errors.js";
import { maskRedisUrl } from "./url.js";

/** Escapes the glob characters of a SCAN MATCH pattern, so an id matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** A short-lived connection that fails fast instead of queueing commands while offline. */
export async function connectRedis(url: string, timeoutMs = 2000): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(
      `Redis at ${maskRedisUrl(url)} is unreachable (${(error as Error).message}).`,
      "Start Redis (redis-server, brew services start redis, or a container), or pass --redis-url with one that runs.",
      { cause: error },
    );
  }
}

/** True when a Redis answers PING at `url` within the timeout. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const client = await connectRedis(url, timeoutMs);
    await client.ping();
    client.disconnect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the key holding a session, given the ids the client's cookies may carry: SCANs for
 * keys containing one of them (never KEYS, so a big shared Redis is not blocked).
 */
export async function findSessionKey(
  url: string,
  ids: readonly string[],
): Promise<string | undefined> {
  const client = await connectRedis(url);
  try {
    for (const id of ids) {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(
          cursor,
          "MATCH",
          `*${escapeGlob(id)}*`,
          "COUNT",
          1000,
        );
        if (keys[0] !== undefined) return keys[0];
        cursor = next;
      } while (cursor !== "0");
    }
    return undefined;
  } finally {
    client.disconnect();
  }
}
