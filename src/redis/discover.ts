import { findFreePortRange } from "../cluster/ports.js";
import { RedisUnavailableError } from "../errors.js";
import { type SpawnedGroup, spawnGroup } from "../processes/spawn-group.js";
import { redisAnswers, redisProblem } from "./inspect.js";
import { DEFAULT_REDIS_URL, maskRedisUrl, type RedisChoice } from "./url.js";

export type { RedisControl } from "./outage-redis.js";

/** A Redis the lab uses: its URL, a line saying which one it is, and how to let go of it. */
export interface RedisInUse {
  readonly url: string;
  /** The URL with its password masked. */
  readonly label: string;
  /** Where it came from, e.g. "REDIS_URL" or "started its own: redis-server on :41234". */
  readonly source: string;
  /** Stops it when the lab started it; otherwise does nothing. */
  close(): Promise<void>;
  /** For the lab's own Redis of exercise 04: take it away and bring it back. */
  readonly control?: import("./outage-redis.js").RedisControl;
}

/** One sentence listing the usual ways to get a Redis, for errors and warnings. */
export const HOW_TO_GET_REDIS =
  "Get one with `apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS), `docker run -p 6379:6379 redis`, or pass a managed Redis with --redis-url (or REDIS_URL).";

export interface FindRedisOptions {
  /** The Redis the user named, if any. */
  readonly chosen: RedisChoice | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Where to look for a local Redis (SESSION_LAB_LOCAL_REDIS overrides it, for tests). */
  readonly localUrl?: string;
  /** Whether starting a private redis-server is an option (default true). */
  readonly startPrivate?: boolean;
}

/**
 * Finds a Redis, in this order: the one the user named (--redis-url, REDIS_URL); one answering
 * PING on 127.0.0.1:6379; a private redis-server the lab starts on a free port (no
 * persistence, stopped by close()). Throws RedisUnavailableError when there is none.
 */
export async function findRedis(options: FindRedisOptions): Promise<RedisInUse> {
  const { chosen, env } = options;
  if (chosen) {
    const problem = await redisProblem(chosen.url, 2000);
    if (problem) {
      throw new RedisUnavailableError(
        `The Redis named by ${chosen.source}: ${problem.message}`,
        problem.hint,
      );
    }
    return borrowed(chosen.url, chosen.source);
  }
  const local = options.localUrl ?? env.SESSION_LAB_LOCAL_REDIS ?? DEFAULT_REDIS_URL;
  if (await redisAnswers(local, 500)) return borrowed(local, `found on ${new URL(local).host}`);
  const started = options.startPrivate === false ? undefined : await startPrivateRedis(env);
  if (started) return started;
  throw new RedisUnavailableError(
    `No Redis is reachable on ${new URL(local).host}, none was named, and redis-server is not installed.`,
    HOW_TO_GET_REDIS,
  );
}

function borrowed(url: string, source: string): RedisInUse {
  return { url, label: maskRedisUrl(url), source, close: async () => {} };
}

/**
 * Starts redis-server on `port` (bound to 127.0.0.1, nothing saved unless `extraArgs` says
 * so) and waits until it answers PING, 5 s at most. Undefined when it is not installed, or
 * exits or does not answer in time (it is stopped then).
 */
export async function launchRedisServer(
  port: number,
  env: NodeJS.ProcessEnv,
  extraArgs: readonly string[] = [],
): Promise<SpawnedGroup | undefined> {
  const server = spawnGroup({
    file: "redis-server",
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      ...extraArgs,
    ],
    env,
    description: `redis-server --port ${port}`,
    output: false,
  });
  if (server.pgid === undefined) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  let gone = false;
  void server.exited.then(() => {
    gone = true;
  });
  while (!gone && Date.now() < deadline) {
    if (await redisAnswers(url, 200)) return server;
    await new Promise((r) => setTimeout(r, 20));
  }
  await server.stop(3000);
  return undefined;
}

/** A redis-server of the lab's own on a free port, keeping nothing on disk; undefined when not installed. */
async function startPrivateRedis(env: NodeJS.ProcessEnv): Promise<RedisInUse | undefined> {
  const [port] = await findFreePortRange(1);
  const server = await launchRedisServer(port as number, env);
  if (!server) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    label: url,
    source: `started its own: redis-server on :${port}, gone when the lab stops`,
    close: async () => {
      await server.stop(3000);
    },
  };
}
