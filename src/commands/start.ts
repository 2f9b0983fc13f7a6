import { InterruptedError } from "../errors.js";
import { failoverAction } from "../lab/failover-demo.js";
import {
  type InteractiveOptions,
  runInteractive,
  type StartAction,
  type StoppedBy,
} from "../lab/interactive.js";
import type { LabOptions } from "../lab/lab-options.js";
import { withLivePage } from "../lab/live-page.js";
import { type Lab, openLab } from "../lab/setup.js";

export type { StartAction } from "../lab/interactive.js";

export interface StartOptions
  extends Omit<LabOptions, "port" | "url" | "signal">,
    Omit<InteractiveOptions, "dir" | "publish"> {
  /** The proxy's port; instances take the next `instances` ports. */
  readonly port: number;
  /** Serve the live page for the projector on this port (never the proxy's). */
  readonly ui?: { readonly port: number };
}

export interface StartResult {
  readonly stoppedBy: StoppedBy;
}

/**
 * Runs the exercise: N instances behind a round-robin proxy, until the user quits or the
 * signal aborts. Throws a LabError when the lab cannot be set up at all.
 */
export async function start(options: StartOptions): Promise<StartResult> {
  const { live, emit } = withLivePage(options.ui !== undefined, options.emit);
  let lab: Lab;
  try {
    lab = await openLab({ ...options, emit });
  } catch (error) {
    // Ctrl-C while the lab was being set up: what was set up is gone already; nothing failed.
    if (!(error instanceof InterruptedError && options.signal.aborted)) throw error;
    options.emit({ type: "stopped" });
    return { stoppedBy: "signal" };
  }
  // The page's buttons act as the keys do, through the same listener.
  const listeners = new Set<(action: StartAction) => void>();
  const act = (action: StartAction) => {
    for (const listener of listeners) listener(action);
  };
  const failover = lab.redis?.failover ? failoverAction(lab.redis.failover, emit) : undefined;
  try {
    const cluster = lab.cluster;
    if (!cluster) throw new Error("start always runs a cluster of its own");
    if (live && options.ui) {
      const url = await live.serve({
        host: options.host,
        port: options.ui.port,
        cluster,
        actions: {
          check: () => act("check"),
          restart: () => act("restart"),
          ...(failover ? { failover: failover.run } : {}),
        },
        redis: { redis: lab.redis, emit },
      });
      const buttons = options.host === "127.0.0.1";
      emit({ type: "ui:ready", url, buttons, ...(buttons && failover ? { failover: true } : {}) });
    }
    const actions = (listener: (action: StartAction) => void) => {
      listeners.add(listener);
      const fromKeys = options.actions?.(listener);
      return () => {
        listeners.delete(listener);
        fromKeys?.();
      };
    };
    return {
      stoppedBy: await runInteractive(
        { ...lab, cluster },
        { ...options, emit, actions, publish: !options.solution },
      ),
    };
  } finally {
    await failover?.close();
    await live?.close();
    await lab.close();
    options.emit({ type: "stopped" });
  }
}
