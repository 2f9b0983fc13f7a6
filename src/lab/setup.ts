import { assertCommandFound } from "../cluster/command.js";
import { PortInUseError, RedisUnavailableError, throwIfInterrupted } from "../errors.js";
import type { Emit, LabEvent } from "../events.js";
import { assertPortsFree, findFreePortRange, instancePorts } from "../processes/ports.js";
import { startClusterRedis } from "../redis/cluster-redis.js";
import { findRedis } from "../redis/discover.js";
import { startOutageRedis } from "../redis/outage-redis.js";
import { startSentinelRedis } from "../redis/sentinel-redis.js";
import type { RedisInUse } from "../redis/server.js";
import { chooseRedisUrl, type RedisChoice } from "../redis/url.js";
import type { Exercise } from "../workspace/catalogue.js";
import { ensureDir, pathExists } from "../workspace/fs.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace, displayPath } from "../workspace/workspace.js";
import { CleanupStack } from "./cleanup-stack.js";
import { type LabCluster, openCluster } from "./lab-cluster.js";
import type { LabOptions } from "./lab-options.js";
import { type LabModes, labModes } from "./modes.js";
import { explainTakenPort } from "./port-trouble.js";
import { beginRun } from "./run-record.js";
import { settleAll } from "./settle.js";
import { settleWorkspaceOn } from "./which-exercise.js";

export type { LabCluster } from "./lab-cluster.js";

/** What start, check and load say about the lab they want. */

/** A lab that is set up: what it runs, against which Redis, and the one way to tear it down. */
export interface Lab {
  readonly modes: LabModes;
  readonly exercise: Exercise;
  readonly redis: RedisInUse | undefined;
  /** The Redis as reports name it, password masked. */
  readonly redisLabel: string;
  /** Absent when --url names a deployment the lab did not start. */
  readonly cluster: LabCluster | undefined;
  /** Stops everything the lab started, in reverse, whatever state it is in. */
  close(): Promise<void>;
}

/** Events a private lab passes on; its apps' logs and requests matter only when it fails. */
const PRIVATE_EVENTS = new Set<LabEvent["type"]>([
  // Only the progress line shows these: a slow boot is not silent.
  "instance:starting",
  "instance:ready",
  "workspace:created",
  "workspace:folder-created",
  "redis:missing",
  "leftover:stopped",
  "warning",
]);

/**
 * The one set-up path of start, check and load: every option is validated before anything
 * starts; then what killed runs left is stopped, a Redis is found and ports are taken (in
 * parallel where nothing depends on the other); then the app is prepared and the proxy and
 * the instances are made ready to boot. Whatever fails, what was set up so far is torn down.
 */
export async function openLab(options: LabOptions): Promise<Lab> {
  const modes = labModes(options);
  const owned = modes.instances === "lab";
  const report: Emit =
    modes.audience === "attended"
      ? options.emit
      : (event) => {
          if (PRIVATE_EVENTS.has(event.type)) options.emit(event);
        };
  const tap = options.tap;
  const emit: Emit = tap
    ? (event) => {
        tap(event);
        report(event);
      }
    : report;
  const chosen = chooseRedisUrl(options.redisUrl, options.env);
  const [exercise] = await Promise.all([
    resolveExercise(options.exercise, options.dir),
    owned ? assertUsableWorkspace(options.dir, false) : undefined,
    owned && options.cmd ? assertCommandFound(options.cmd, options.env, options.cwd) : undefined,
  ]);
  throwIfInterrupted(options.signal);
  if (owned) warnIfExposed(options.host, emit);
  if (owned && !(await pathExists(options.dir))) {
    // A new workspace holds no run a killed lab left: its ports are tried before it is made,
    // so a port the lab cannot have leaves nothing behind.
    if (options.port !== undefined) await claimPorts(options.port, options);
    await ensureDir(options.dir);
    emit({ type: "workspace:folder-created", dir: displayPath(options.dir) });
  }

  const kind = modes.audience === "attended" ? "start" : "private";
  if (owned && modes.work === "attendee")
    await settleWorkspaceOn(options.dir, exercise, kind, emit);

  const cleanup = new CleanupStack();
  try {
    const record = owned
      ? beginRun(options.dir, (l) => emit({ type: "leftover:stopped", ...l }), {
          kind,
          exercise: exercise.id,
        })
      : Promise.resolve(undefined);
    const [run, redis, proxyPort] = await settleAll(cleanup, [
      record,
      // The outage exercise takes its Redis away: it gets one of the lab's own, whatever else.
      owned && exercise.redis === "private"
        ? startOutageRedis(options.env)
        : owned && exercise.redis === "sentinel"
          ? startSentinelRedis(options.env)
          : owned && exercise.redis === "cluster"
            ? startClusterRedis(options.env)
            : findLabRedis(options, chosen, owned, emit),
      // A fixed port may be held by what a killed run left: it is checked once that is gone.
      !owned
        ? undefined
        : options.port !== undefined
          ? record.then(() => claimPorts(options.port as number, options))
          : findFreePortRange(options.instances + 1, options.host).then(([p]) => p as number),
    ]);
    if (run) cleanup.defer(() => run.close());
    if (redis) cleanup.defer(() => redis.close());
    throwIfInterrupted(options.signal);
    const redisLabel = redis ? `${redis.label} (${redis.source})` : "none found";
    const cluster =
      proxyPort === undefined
        ? undefined
        : await openCluster(options, {
            modes,
            exercise,
            redis,
            proxyPort,
            runId: run?.runId ?? "",
            emit,
            cleanup,
          });
    throwIfInterrupted(options.signal);
    return { modes, exercise, redis, redisLabel, cluster, close: () => cleanup.run() };
  } catch (error) {
    await cleanup.run().catch(() => {});
    throw error;
  }
}

/** The starter needs no Redis (it fails before Redis matters); the solution and a named one do. */
async function findLabRedis(
  options: LabOptions,
  chosen: RedisChoice | undefined,
  owned: boolean,
  emit: Emit,
): Promise<RedisInUse | undefined> {
  try {
    return await findRedis({
      chosen,
      env: options.env,
      startPrivate: owned,
      signal: options.signal,
    });
  } catch (error) {
    if (!(error instanceof RedisUnavailableError) || options.solution || chosen) throw error;
    if (owned) emit({ type: "redis:missing", message: error.message, hint: error.hint });
    return undefined;
  }
}

/** The proxy's port and the instances', free; otherwise why not (which program, or no right). */
async function claimPorts(proxyPort: number, options: LabOptions): Promise<number> {
  try {
    await assertPortsFree(proxyPort, instancePorts(proxyPort, options.instances), options.host);
  } catch (error) {
    if (error instanceof PortInUseError) throw await explainTakenPort(error, options.dir);
    throw error;
  }
  return proxyPort;
}

function warnIfExposed(host: string, emit: Emit): void {
  if (host !== "0.0.0.0" && host !== "::") return;
  emit({
    type: "warning",
    message: `Listening on ${host}: anyone on this network (conference Wi-Fi included) can reach the proxy and the instances.`,
  });
}
