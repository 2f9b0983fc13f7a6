import { Cluster } from "../cluster/cluster.js";
import { assertCommandFound } from "../cluster/command.js";
import { assertPortsFree, instancePorts } from "../cluster/ports.js";
import { AppStartError, RedisUnavailableError } from "../errors.js";
import type { Emit } from "../events.js";
import { startProxy } from "../proxy/proxy.js";
import { findRedis } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import { nextHint } from "../workspace/hints.js";
import { resolveExercise } from "../workspace/progress.js";
import { watchExercise } from "../workspace/watch.js";
import { assertUsableWorkspace } from "../workspace/workspace.js";
import { prepareApp } from "./app.js";
import { serialise } from "./serialise.js";
import { checkRunningCluster } from "./start-check.js";

export type StartAction = "restart" | "hint" | "check" | "quit";

export interface StartOptions {
  readonly exercise: string | undefined;
  readonly instances: number;
  /** The proxy's port; instances take the next `instances` ports. */
  readonly port: number;
  readonly host: string;
  /** Absolute path of the workspace. */
  readonly dir: string;
  readonly cmd: string | undefined;
  readonly solution: boolean;
  readonly redisUrl: string | undefined;
  readonly timeoutMs: number;
  /** How long the proxy waits for an instance's answer before a 504. */
  readonly upstreamTimeoutMs?: number;
  /** Whether --dir was given (then it must exist). */
  readonly dirGiven?: boolean;
  /** Restart the instances when a file of the attendee's exercise changes. */
  readonly watch: boolean;
  /** Whether keys (r, h, q) are wired; only changes what the banner says. */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  /** Aborting stops everything and makes start() resolve. */
  readonly signal: AbortSignal;
  /** Subscribes to user actions (keys); returns an unsubscribe function. */
  readonly actions?: (listener: (action: StartAction) => void) => () => void;
}

export interface StartResult {
  readonly stoppedBy: "quit" | "signal";
}

/**
 * Runs the exercise: N instances behind a round-robin proxy, until the user quits or the
 * signal aborts. Throws a LabError when the cluster cannot come up at all.
 */
export async function start(options: StartOptions): Promise<StartResult> {
  const { emit, signal, host } = options;
  // Everything that can be wrong with the options is found before anything is created.
  const chosenRedis = chooseRedisUrl(options.redisUrl, options.env);
  const exercise = await resolveExercise(options.exercise, options.dir);
  const ports = instancePorts(options.port, options.instances);
  await assertPortsFree(options.port, ports, host);
  await assertUsableWorkspace(options.dir, options.dirGiven === true);
  if (options.cmd) await assertCommandFound(options.cmd, options.env, options.cwd);
  if (host === "0.0.0.0" || host === "::") {
    emit({
      type: "warning",
      message: `Listening on ${host}: anyone on this network (conference Wi-Fi included) can reach the proxy and the instances.`,
    });
  }
  // The starter needs no Redis; the solution (and the attendee's finished copy) does.
  const redis = await findRedis({ chosen: chosenRedis, env: options.env }).catch(
    (error: unknown) => {
      if (!(error instanceof RedisUnavailableError) || options.solution || chosenRedis) throw error;
      emit({ type: "redis:missing", message: error.message, hint: error.hint });
      return undefined;
    },
  );
  let app: Awaited<ReturnType<typeof prepareApp>>;
  try {
    app = await prepareApp({ ...options, workspace: options.dir, exercise, redis });
  } catch (error) {
    await redis?.close();
    throw error;
  }

  const began = performance.now();
  // While c runs a check, its scripted requests are in the check's report, not the log.
  let checking: Promise<unknown> | undefined;
  const proxy = await startProxy({
    host,
    port: options.port,
    upstreams: ports.map((port, i) => ({ index: i + 1, port })),
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    emit: (event) => {
      if (!checking) emit(event);
    },
  });
  const cluster = new Cluster({
    command: app.command,
    host,
    ports,
    env: app.env,
    timeoutMs: options.timeoutMs,
    emit,
    onUnexpectedExit: (ref) => proxy.setAvailable(ref.index, false),
  });
  const setAllAvailable = (value: boolean) => {
    for (const ref of cluster.refs) proxy.setAvailable(ref.index, value);
  };

  // Quitting with q and the caller's signal both end the run through one internal signal.
  const stop = new AbortController();
  let stoppedBy = "signal" as StartResult["stoppedBy"];
  const quit = () => {
    stoppedBy = "quit";
    stop.abort();
  };
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const cleanups: Array<() => unknown> = [];
  try {
    await cluster.start(stop.signal);
    if (stop.signal.aborted) return { stoppedBy };
    setAllAvailable(true);
    emit({
      type: "cluster:ready",
      proxyUrl: proxy.url,
      instances: cluster.refs,
      ms: Math.round(performance.now() - began),
      interactive: options.interactive,
    });

    const restarts = serialise(async () => {
      setAllAvailable(false);
      const restartBegan = performance.now();
      try {
        await cluster.restart(stop.signal);
        if (stop.signal.aborted) return;
        setAllAvailable(true);
        emit({ type: "cluster:restarted", ms: Math.round(performance.now() - restartBegan) });
      } catch (error) {
        if (!(error instanceof AppStartError)) throw error;
        emit({
          type: "cluster:failed",
          message: error.message,
          hint: error.hint,
          lastLines: error.lastLines,
        });
      }
    });
    const restart = restarts.run;

    cleanups.push(() => restarts.idle());
    cleanups.push(() => checking);
    if (options.watch && app.watchDir) {
      const watcher = watchExercise(app.watchDir, exercise.sessionDirs, (file) => {
        emit({ type: "cluster:restarting", reason: "change", file });
        restart();
      });
      cleanups.push(() => watcher.close());
    }
    if (options.actions) {
      cleanups.push(
        options.actions((action) => {
          if (action === "quit") quit();
          else if (action === "restart") {
            emit({ type: "cluster:restarting", reason: "key" });
            restart();
          } else if (action === "check" && !checking) {
            checking = checkRunningCluster({
              exercise,
              cluster,
              proxy,
              redis,
              command: app.command.description,
              restart,
              emit,
              record: app.watchDir ? options.dir : undefined,
            })
              .catch(() => {})
              .finally(() => {
                checking = undefined;
              });
          } else if (action === "hint") {
            nextHint(options.dir, exercise).then(
              (hint) => emit({ type: "hint", exercise: exercise.id, ...hint }),
              () => {},
            );
          }
        }),
      );
    }
    await aborted(stop.signal);
    emit({ type: "stopping", reason: stoppedBy === "quit" ? "q pressed" : "interrupted" });
    return { stoppedBy };
  } finally {
    signal.removeEventListener("abort", onAbort);
    stop.abort();
    for (const cleanup of cleanups.reverse()) await cleanup();
    await cluster.close();
    await proxy.close();
    await redis?.close();
    emit({ type: "stopped" });
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
