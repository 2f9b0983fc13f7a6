import type { Cluster } from "../cluster/cluster.js";
import { AppStartError } from "../errors.js";
import type { LabProxy } from "../proxy/proxy.js";
import type { RedisInUse } from "../redis/discover.js";
import type { Exercise } from "../workspace/catalogue.js";
import { nextHint } from "../workspace/hints.js";
import { watchExercise } from "../workspace/watch.js";
import type { PreparedApp } from "./app.js";
import { CleanupStack } from "./cleanup.js";
import { serialise } from "./serialise.js";
import type { StartOptions, StartResult } from "./start.js";
import { checkRunningCluster } from "./start-check.js";

export type StartAction = "restart" | "hint" | "check" | "quit";

export interface LoopContext {
  readonly options: StartOptions;
  readonly exercise: Exercise;
  readonly app: PreparedApp;
  readonly redis: RedisInUse | undefined;
  readonly proxy: LabProxy;
  readonly cluster: Cluster;
  readonly began: number;
  readonly setQuietRequests: (quiet: boolean) => void;
}

/**
 * Boots the cluster, then serves until q or the signal: restarts on r and on saved files,
 * a hint on h, a check on c. Returns how it was stopped.
 */
export async function runInteractive(ctx: LoopContext): Promise<StartResult> {
  const { options, exercise, app, proxy, cluster } = ctx;
  const { emit } = options;
  const setAllAvailable = (value: boolean) => {
    for (const ref of cluster.refs) proxy.setAvailable(ref.index, value);
  };
  // Quitting with q and the caller's signal both end the run through one internal signal.
  const stop = new AbortController();
  let stoppedBy = "signal" as StartResult["stoppedBy"];
  const onAbort = () => stop.abort();
  options.signal.addEventListener("abort", onAbort, { once: true });
  const cleanup = new CleanupStack();
  cleanup.defer(() => options.signal.removeEventListener("abort", onAbort));
  try {
    await cluster.start(stop.signal);
    if (stop.signal.aborted) return { stoppedBy };
    setAllAvailable(true);
    emit({
      type: "cluster:ready",
      proxyUrl: proxy.url,
      instances: cluster.refs,
      ms: Math.round(performance.now() - ctx.began),
      interactive: options.interactive,
    });

    const restarts = serialise(async () => {
      setAllAvailable(false);
      const began = performance.now();
      try {
        await cluster.restart(stop.signal);
        if (stop.signal.aborted) return;
        setAllAvailable(true);
        emit({ type: "cluster:restarted", ms: Math.round(performance.now() - began) });
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
    cleanup.defer(() => restarts.idle());
    let checking: Promise<unknown> | undefined;
    cleanup.defer(() => checking);

    if (options.watch && app.watchDir) {
      const watcher = watchExercise(app.watchDir, exercise.sessionDirs, (file) => {
        emit({ type: "cluster:restarting", reason: "change", file });
        void restarts.run();
      });
      cleanup.defer(() => watcher.close());
    }
    const onAction = (action: StartAction) => {
      if (action === "quit") {
        stoppedBy = "quit";
        stop.abort();
      } else if (action === "restart") {
        emit({ type: "cluster:restarting", reason: "key" });
        void restarts.run();
      } else if (action === "hint") {
        nextHint(options.dir, exercise).then(
          (hint) => emit({ type: "hint", exercise: exercise.id, ...hint }),
          () => {},
        );
      } else if (action === "check" && !checking) {
        ctx.setQuietRequests(true);
        checking = checkRunningCluster({
          exercise,
          cluster,
          proxy,
          redis: ctx.redis,
          command: app.command.description,
          restart: restarts.run,
          emit,
          signal: stop.signal,
          record: app.watchDir ? options.dir : undefined,
        })
          .catch(() => {})
          .finally(() => {
            checking = undefined;
            ctx.setQuietRequests(false);
          });
      }
    };
    if (options.actions) cleanup.defer(options.actions(onAction));

    await aborted(stop.signal);
    emit({ type: "stopping", reason: stoppedBy === "quit" ? "q pressed" : "interrupted" });
    return { stoppedBy };
  } finally {
    stop.abort();
    await cleanup.run();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
