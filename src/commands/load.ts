import { InterruptedError } from "../errors.js";
import { type LoadStats, runLoad } from "../scenarios/load.js";
import { REQUEST_TIMEOUT_MS } from "./check.js";
import { type LabRunOptions, openPrivateCluster, withLabRun } from "./lab-run.js";

export interface LoadOptions extends LabRunOptions {
  readonly users: number;
  readonly durationMs: number;
  readonly requests: number | undefined;
}

/** What `load --json` prints. */
export interface LoadReport extends LoadStats {
  readonly schema: "session-lab/load@1";
  readonly target: string;
  readonly users: number;
}

/**
 * The instructor's demo: many simulated users through the proxy of a cluster of the lab's
 * own (or --url: a running start, or any deployment), counting the sessions lost.
 */
export async function load(options: LoadOptions): Promise<LoadReport> {
  const report = await withLabRun(options, async (exercise, redis) => {
    if (options.url) return drive(options, options.url, options.url);
    const lab = await openPrivateCluster(options, exercise, redis, REQUEST_TIMEOUT_MS);
    try {
      await lab.cluster.start(options.signal);
      lab.setAvailable(true);
      const n = options.instances;
      return await drive(
        options,
        lab.proxy.url,
        `${n} instance${n === 1 ? "" : "s"} of ${lab.app.command.description}`,
      );
    } finally {
      await lab.close();
    }
  });
  if (options.signal.aborted) {
    throw new InterruptedError(
      "The load run was interrupted.",
      "Run it again, with a shorter --duration if need be.",
    );
  }
  return report;
}

async function drive(options: LoadOptions, url: string, target: string): Promise<LoadReport> {
  options.emit({
    type: "load:begin",
    target,
    users: options.users,
    durationMs: options.durationMs,
    requests: options.requests,
  });
  const stats = await runLoad({
    url,
    users: options.users,
    durationMs: options.durationMs,
    requests: options.requests,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    signal: options.signal,
    onProgress: (progress) => options.emit({ type: "load:progress", ...progress }),
  });
  const report: LoadReport = {
    schema: "session-lab/load@1",
    target,
    users: options.users,
    ...stats,
  };
  options.emit({ type: "load:end", report });
  return report;
}
