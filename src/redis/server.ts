import { pollUntil } from "../poll.js";
import { type SpawnedGroup, spawnGroup } from "../processes/spawn-group.js";
import { redisAnswers } from "./inspect.js";
import type { ClusterView, FailoverControl } from "./topology.js";

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
  readonly control?: RedisControl;
  /** For the lab's own Sentinel set-up of exercise 05: fail the primary over. */
  readonly failover?: FailoverControl;
  /** For the lab's own Redis Cluster of exercise 06: where its slots and keys are. */
  readonly cluster?: ClusterView;
  /** Variables the instances get besides REDIS_URL (REDIS_SENTINELS, REDIS_MASTER_NAME ...). */
  readonly env?: Readonly<Record<string, string>>;
}

/** One sentence listing the usual ways to get a Redis, for errors and warnings. */
export const HOW_TO_GET_REDIS =
  "Get one with `apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS), `docker run -p 6379:6379 redis`, or pass a managed Redis with --redis-url (or REDIS_URL).";

/** What a scenario may do to the lab's own Redis (exercise 04): make it unavailable, and back. */
export interface RedisControl {
  /** Stops answering for `ms` (CLIENT PAUSE), then answers again by itself. */
  pause(ms: number): Promise<void>;
  /** Saves its data and stops. */
  stop(): Promise<void>;
  /** Starts again on the same port, with the data it saved. */
  start(): Promise<void>;
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
  let gone = false;
  void server.exited.then(() => {
    gone = true;
  });
  const answers = await pollUntil(async () => gone || (await redisAnswers(url, 200)), {
    timeoutMs: 5000,
    everyMs: 20,
  });
  if (answers && !gone) return server;
  await server.stop(3000);
  return undefined;
}
