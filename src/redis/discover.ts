import { RedisUnavailableError, throwIfInterrupted } from "../errors.js";
import { findFreePortRange } from "../processes/ports.js";
import { redisAnswers, redisProblem } from "./inspect.js";
import { HOW_TO_GET_REDIS, launchRedisServer, type RedisInUse } from "./server.js";
import { DEFAULT_REDIS_URL, maskRedisUrl, type RedisChoice } from "./url.js";

export interface FindRedisOptions {
  /** The Redis the user named, if any. */
  readonly chosen: RedisChoice | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Where to look for a local Redis (SESSION_LAB_LOCAL_REDIS overrides it, for tests). */
  readonly localUrl?: string;
  /** Whether starting a private redis-server is an option (default true). */
  readonly startPrivate?: boolean;
  /** Ctrl-C: no private redis-server is started once it has aborted. */
  readonly signal?: AbortSignal;
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
  throwIfInterrupted(options.signal);
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
