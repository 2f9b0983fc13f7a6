import { randomBytes } from "node:crypto";
import { Cluster } from "../cluster/cluster.js";
import { assertCommandFound } from "../cluster/command.js";
import { findFreePortRange, instancePorts } from "../cluster/ports.js";
import { beginRun } from "../cluster/run-record.js";
import { RedisUnavailableError } from "../errors.js";
import type { Emit, InstanceRef } from "../events.js";
import { type LabProxy, startProxy } from "../proxy/proxy.js";
import { removeKeysWithPrefix } from "../redis/cleanup.js";
import { findRedis, type RedisInUse } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import type { Exercise } from "../workspace/catalogue.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace, removeSessionDirs } from "../workspace/workspace.js";
import { type PreparedApp, prepareApp } from "./app.js";
import { CleanupStack } from "./cleanup.js";

/** The options check and load share: what to run, where, and against which Redis. */
export interface LabRunOptions {
  readonly exercise: string | undefined;
  readonly instances: number;
  readonly host: string;
  readonly dir: string;
  readonly dirGiven?: boolean;
  readonly cmd: string | undefined;
  readonly solution: boolean;
  readonly redisUrl: string | undefined;
  readonly timeoutMs: number;
  /** A deployment the lab did not start: no cluster, no private Redis. */
  readonly url: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  readonly signal: AbortSignal;
}

/**
 * Validates the options, stops what killed runs left, finds a Redis, then runs `body`; tears
 * everything down afterwards. Without any Redis the starter still runs (it fails before Redis
 * matters); the solution does not.
 */
export async function withLabRun<T>(
  options: LabRunOptions,
  body: (exercise: Exercise, redis: RedisInUse | undefined) => Promise<T>,
): Promise<T> {
  const chosen = chooseRedisUrl(options.redisUrl, options.env);
  const exercise = await resolveExercise(options.exercise, options.dir);
  if (!options.url) {
    await assertUsableWorkspace(options.dir, options.dirGiven === true);
    if (options.cmd) await assertCommandFound(options.cmd, options.env, options.cwd);
  }
  const cleanup = new CleanupStack();
  try {
    if (!options.url) {
      cleanup.defer(
        await beginRun(options.dir, (l) => options.emit({ type: "leftover:stopped", ...l })),
      );
    }
    const redis = await findRedis({ chosen, env: options.env, startPrivate: !options.url }).catch(
      (error: unknown) => {
        if (!(error instanceof RedisUnavailableError) || options.solution || chosen) throw error;
        return undefined;
      },
    );
    if (redis) cleanup.defer(() => redis.close());
    return await body(exercise, redis);
  } finally {
    await cleanup.run();
  }
}

/** A quiet cluster of the lab's own on free ports, behind its own proxy. */
export interface PrivateCluster {
  readonly proxy: LabProxy;
  readonly cluster: Cluster;
  readonly app: PreparedApp;
  readonly upstreams: readonly InstanceRef[];
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

export async function openPrivateCluster(
  options: LabRunOptions,
  exercise: Exercise,
  redis: RedisInUse | undefined,
  upstreamTimeoutMs: number,
): Promise<PrivateCluster> {
  const [proxyPort = 0] = await findFreePortRange(options.instances + 1, options.host);
  const ports = instancePorts(proxyPort, options.instances);
  // App output only matters when something fails; the workspace copy is still announced.
  const quiet: Emit = (event) => {
    if (event.type === "workspace:created") options.emit(event);
  };
  const app = await prepareApp({
    ...options,
    workspace: options.dir,
    exercise,
    redis,
    emit: quiet,
    // Its sessions are throwaway: under a prefix of their own, removed when it closes.
    prefixSuffix: `run-${randomBytes(3).toString("hex")}:`,
  });
  const upstreams = ports.map((port, i) => ({ index: i + 1, port }));
  const proxy = await startProxy({
    host: options.host,
    port: proxyPort,
    upstreams,
    emit: () => {},
    upstreamTimeoutMs,
  });
  const cluster = new Cluster({
    command: app.command,
    host: options.host,
    ports,
    env: app.env,
    timeoutMs: options.timeoutMs,
    emit: () => {},
    onUnexpectedExit: (ref) => proxy.setAvailable(ref.index, false),
  });
  return {
    proxy,
    cluster,
    app,
    upstreams,
    setAvailable(available) {
      for (const u of upstreams) proxy.setAvailable(u.index, available);
    },
    async close() {
      await cluster.close();
      await proxy.close();
      // These instances ran on throwaway ports: their session files are of no use to anyone.
      if (app.watchDir) await removeSessionDirs(app.watchDir, exercise.sessionDirs, ports);
      const prefix = app.env.SESSION_PREFIX;
      if (redis && prefix) await removeKeysWithPrefix(redis.url, prefix).catch(() => 0);
    },
  };
}
