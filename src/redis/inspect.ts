import { Redis } from "ioredis";
import { RedisUnavailableError } from "../errors.js";
import { clientName } from "./monitor-line.js";
import { maskRedisUrl } from "./url.js";

/** Escapes the glob characters of a SCAN MATCH pattern, so an id matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * The lab's own connections to Redis, named as Redis names its clients ("127.0.0.1:54321"),
 * so that a watch of what clients send Redis (watch.ts) leaves the lab's commands out.
 */
const lab = new Set<string>();
export const labClients: ReadonlySet<string> = lab;

/**
 * Notes a connection in labClients once its socket is connected, before its first command
 * can reach Redis ("connect" is emitted on the next tick, replies come later). A name is
 * forgotten a second after the connection ended: MONITOR has shown its last command by then,
 * and its port may go to another connection (an app's) soon after.
 */
export function noteLabClient(client: Redis): void {
  client.once("connect", () => {
    const { localAddress, localPort } = client.stream;
    if (localAddress === undefined || localPort === undefined) return;
    const name = clientName(localAddress, localPort);
    lab.add(name);
    client.once("end", () => setTimeout(() => lab.delete(name), 1000).unref());
  });
}

/** A short-lived connection that fails fast instead of queueing commands while offline. */
export async function connectRedis(url: string, timeoutMs = 2000): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A Redis that stops answering (paused, a network gone) must not hang the lab.
    commandTimeout: Math.max(timeoutMs, 3000),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // A server that does not close its side holds a closed client's socket (and the lab's
    // exit) for ioredis's default 2 s.
    disconnectTimeout: 200,
  });
  noteLabClient(client);
  // The first error event says why (ECONNREFUSED, a wrong password); connect() itself
  // only says "Connection is closed.".
  let why: string | undefined;
  client.on("error", (error: Error) => {
    why ??= error.message;
  });
  // connectTimeout ends at the TCP handshake: a server that accepts and then never answers
  // (a paused Redis, something else on its port) would hold the ready check forever.
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(), silent]);
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(
      `Redis at ${maskRedisUrl(url)} is unreachable (${why ?? (error as Error).message}).`,
      "Start Redis (redis-server, brew services start redis, or a container), or pass --redis-url with one that runs.",
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  // ioredis reports a failed SELECT as an error event and carries on in database 0, where the
  // sessions would then land unnoticed: select it again here, and stop when it does not exist.
  const db = databaseOf(url);
  if (db !== 0) {
    try {
      await client.select(db);
    } catch (error) {
      client.disconnect();
      throw new RedisUnavailableError(
        `Redis at ${maskRedisUrl(url)} has no database ${db} (${(error as Error).message}).`,
        "Use a database the server has (0 to 15 unless its `databases` setting says otherwise), e.g. /0 at the end of the URL.",
        { cause: error },
      );
    }
  }
  return client;
}

/** The logical database a Redis URL names (its path), 0 when none. */
export function databaseOf(url: string): number {
  try {
    const db = Number(new URL(url).pathname.slice(1) || 0);
    return Number.isInteger(db) && db >= 0 ? db : 0;
  } catch {
    return 0;
  }
}

/** Undefined when a Redis answers PING at `url` within the timeout; otherwise why not. */
export async function redisProblem(
  url: string,
  timeoutMs = 1000,
): Promise<RedisUnavailableError | undefined> {
  try {
    const client = await connectRedis(url, timeoutMs);
    try {
      await client.ping();
    } finally {
      client.disconnect();
    }
    return undefined;
  } catch (error) {
    return error instanceof RedisUnavailableError
      ? error
      : new RedisUnavailableError(
          `Redis at ${maskRedisUrl(url)} does not answer PING (${(error as Error).message}).`,
          "Check that it runs and that the URL, user and password are right.",
        );
  }
}

/** True when a Redis answers PING at `url` within the timeout. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  return (await redisProblem(url, timeoutMs)) === undefined;
}

/** Where a session was found: its key, the logical database, and how long it has to live. */
export interface FoundSession {
  readonly key: string;
  readonly db: number;
  /** PTTL: milliseconds left, -1 without expiry. */
  readonly pttlMs: number;
}

/**
 * Looks for a session by the ids its cookie may carry in every logical database of a Redis
 * (the URL's own first, then 0, 1, ... as far as the server has them): SCAN with an escaped
 * pattern, never KEYS. Read-only. Undefined when it is nowhere.
 */
export async function findSessionAnywhere(
  url: string,
  ids: readonly string[],
  maxDb = 16,
): Promise<FoundSession | undefined> {
  if (ids.length === 0) return undefined;
  const client = await connectRedis(url);
  try {
    const own = databaseOf(url);
    for (const db of [
      own,
      ...Array.from({ length: maxDb }, (_, i) => i).filter((d) => d !== own),
    ]) {
      try {
        await client.select(db);
      } catch {
        break; // The server has no more databases (or this user may not change them).
      }
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
          const key = keys[0];
          if (key !== undefined) return { key, db, pttlMs: await client.pttl(key) };
          cursor = next;
        } while (cursor !== "0");
      }
    }
    return undefined;
  } finally {
    client.disconnect();
  }
}
