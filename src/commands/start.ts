import { type InteractiveOptions, runInteractive, type StoppedBy } from "../lab/interactive.js";
import { type LabOptions, openLab } from "../lab/setup.js";

export type { StartAction } from "../lab/interactive.js";

export interface StartOptions
  extends Omit<LabOptions, "port" | "url">,
    Omit<InteractiveOptions, "dir" | "publish"> {
  /** The proxy's port; instances take the next `instances` ports. */
  readonly port: number;
}

export interface StartResult {
  readonly stoppedBy: StoppedBy;
}

/**
 * Runs the exercise: N instances behind a round-robin proxy, until the user quits or the
 * signal aborts. Throws a LabError when the lab cannot be set up at all.
 */
export async function start(options: StartOptions): Promise<StartResult> {
  const lab = await openLab(options);
  try {
    const cluster = lab.cluster;
    if (!cluster) throw new Error("start always runs a cluster of its own");
    return {
      stoppedBy: await runInteractive(
        { ...lab, cluster },
        { ...options, publish: !options.solution },
      ),
    };
  } finally {
    await lab.close();
    options.emit({ type: "stopped" });
  }
}
