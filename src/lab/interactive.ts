import { AppStartError, LabError } from "../errors.js";
import type { Emit } from "../events.js";
import { nextHint } from "../workspace/hints.js";
import { rememberUrl } from "../workspace/state.js";
import { watchExercise } from "../workspace/watch.js";
import { checkCluster } from "./check-cluster.js";
import { CleanupStack, untilAborted } from "./cleanup-stack.js";
import { countCheck } from "./count-check.js";
import { announceNext, commandAbout, hintReference } from "./next-step.js";
import { serialise } from "./serialise.js";
import type { Lab, LabCluster } from "./setup.js";

/** What a key press (or, later, a button) asks a running start to do. */
export type StartAction = "restart" | "hint" | "check" | "quit";

export interface InteractiveOptions {
  /** The workspace, for hints and for recording checks of the attendee's copy. */
  readonly dir: string;
  /** Restart the instances when a file of the attendee's exercise changes. */
  readonly watch: boolean;
  /** Whether keys (c, r, h, q) are wired; only changes what the banner says. */
  readonly interactive: boolean;
  /** Publish the c key's checks to the room the workspace joined (not for the solution). */
  readonly publish: boolean;
  readonly emit: Emit;
  /** Aborting stops the loop. */
  readonly signal: AbortSignal;
  /** Subscribes to user actions (keys); returns an unsubscribe function. */
  readonly actions?: (listener: (action: StartAction) => void) => () => void;
}

export type StoppedBy = "quit" | "signal";

/**
 * Boots the cluster, then serves until q or the signal: restarts on r and on saved files,
 * a hint on h, a check on c. Returns how it was stopped.
 */
export async function runInteractive(
  lab: Lab & { cluster: LabCluster },
  options: InteractiveOptions,
): Promise<StoppedBy> {
  const { exercise, cluster } = lab;
  const { emit } = options;
  const began = performance.now();
  // Quitting with q and the caller's signal both end the run through one internal signal.
  const stop = new AbortController();
  let stoppedBy = "signal" as StoppedBy;
  const onAbort = () => stop.abort();
  // A signal that came while the lab was set up counts too: an abort event fires only once.
  if (options.signal.aborted) stop.abort();
  else options.signal.addEventListener("abort", onAbort, { once: true });
  const cleanup = new CleanupStack();
  cleanup.defer(() => options.signal.removeEventListener("abort", onAbort));
  // A failure nobody can wait for (a restart started by a save) ends the lab and is rethrown.
  let fatal: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    fatal ??= { error };
    stop.abort();
  };
  try {
    await cluster.instances.start(stop.signal);
    if (stop.signal.aborted) return stoppedBy;
    cluster.setAvailable(true);
    await rememberUrl(options.dir, cluster.proxy.url).catch(() => {});
    emit({
      type: "cluster:ready",
      proxyUrl: cluster.proxy.url,
      instances: cluster.upstreams,
      ms: Math.round(performance.now() - began),
      interactive: options.interactive,
    });

    const restarts = serialise(async () => {
      cluster.setAvailable(false);
      const restartBegan = performance.now();
      try {
        await cluster.instances.restart(stop.signal);
        if (stop.signal.aborted) return;
        cluster.setAvailable(true);
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
    cleanup.defer(() => restarts.idle());
    let checking: Promise<unknown> | undefined;
    cleanup.defer(() => checking);

    const watchDir = cluster.app.watchDir;
    if (options.watch && watchDir) {
      const watcher = watchExercise(watchDir, exercise.sessionDirs, ([file, ...more]) => {
        emit({ type: "cluster:restarting", reason: "change", file, more: more.length });
        restarts.run().catch(fail);
      });
      cleanup.defer(() => watcher.close());
    }
    const onAction = (action: StartAction) => {
      if (action === "quit") {
        stoppedBy = "quit";
        stop.abort();
      } else if (action === "restart") {
        emit({ type: "cluster:restarting", reason: "key" });
        restarts.run().catch(fail);
      } else if (action === "hint") {
        nextHint(options.dir, exercise, cluster.proxy.url).then(
          async (hint) =>
            emit({
              type: "hint",
              exercise: exercise.id,
              ...hint,
              ...(hint.number === hint.total
                ? { solution: await commandAbout(options.dir, exercise, "solution") }
                : {}),
            }),
          () => {},
        );
      } else if (action === "check" && !checking) {
        // The check's scripted requests are in its report, not in the request trace.
        cluster.traceRequests(false);
        checking = (async () =>
          checkCluster(lab, {
            instances: { restart: restarts.run },
            emit,
            signal: stop.signal,
            hint: options.interactive ? { key: "h" } : await hintReference(options.dir, exercise),
          }))()
          .then(async (report) => {
            if (stop.signal.aborted) return;
            await countCheck(lab, report, { dir: options.dir, publish: options.publish, emit });
            await announceNext(lab, report, emit, true);
          })
          .catch((error: unknown) => {
            if (stop.signal.aborted) return;
            emit({
              type: "check:failed",
              message: error instanceof Error ? error.message : String(error),
              hint:
                error instanceof LabError
                  ? error.hint
                  : "This is a bug in session-lab: run with DEBUG=session-lab to see where, and report it.",
            });
          })
          .finally(() => {
            checking = undefined;
            cluster.traceRequests(true);
          });
      }
    };
    if (options.actions) cleanup.defer(options.actions(onAction));

    await untilAborted(stop.signal);
    // A signal was announced already, by the one place that saw it (main).
    if (!fatal && stoppedBy === "quit") emit({ type: "stopping", reason: "q pressed" });
  } finally {
    stop.abort();
    await cleanup.run();
  }
  if (fatal) throw fatal.error;
  return stoppedBy;
}
