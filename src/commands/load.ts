import { InterruptedError, LabError, UsageError } from "../errors.js";
import { typed } from "../invocation.js";
import { REQUEST_TIMEOUT_MS } from "../lab/check-cluster.js";
import { untilAborted } from "../lab/cleanup-stack.js";
import { failoverAction } from "../lab/failover-demo.js";
import type { LabOptions } from "../lab/lab-options.js";
import { withLivePage } from "../lab/live-page.js";
import { openLab } from "../lab/setup.js";
import { runLoad } from "../load/simulated-users.js";
import type { LoadReport } from "../model/load-report.js";

export interface LoadOptions extends Omit<LabOptions, "port"> {
  /** Serve the live page (charts per instance) on this port; it stays open after the run. */
  readonly ui?: { readonly port: number };
  readonly users: number;
  readonly durationMs: number;
  readonly requests: number | undefined;
  readonly signal: AbortSignal;
}

/** Against the lab's Sentinel set-up, each simulated user sets a new value after this many reads. */
const REWRITE_EVERY = 3;

/**
 * The instructor's demo: many simulated users through the proxy of a cluster of the lab's
 * own (or --url: a running start, or any deployment), counting the sessions lost.
 */
export async function load(options: LoadOptions): Promise<LoadReport> {
  if (options.ui && options.url) {
    throw new UsageError(
      "--ui shows the lab's own proxy, and with --url the load goes to another one.",
      "Open the live page of the running start instead (start --ui), or leave --url out.",
    );
  }
  const { live, emit } = withLivePage(options.ui !== undefined, options.emit);
  // The live page sees the private lab's instances come and go, which load does not report.
  const lab = await openLab({ ...options, tap: live ? (event) => live.see(event) : undefined });
  let report: LoadReport;
  // Exercise 05: the page's "Fail over now" switches the lab's primary while the users run.
  const failover = lab.redis?.failover ? failoverAction(lab.redis.failover, emit) : undefined;
  try {
    const { cluster } = lab;
    if (cluster && live && options.ui) {
      const url = await live.serve({
        host: options.host,
        port: options.ui.port,
        cluster,
        ...(failover ? { actions: { failover: failover.run } } : {}),
        redis: { redis: lab.redis, emit },
      });
      const failoverButton = failover !== undefined && options.host === "127.0.0.1";
      emit({
        type: "ui:ready",
        url,
        buttons: false,
        ...(failoverButton ? { failover: true } : {}),
      });
    }
    if (cluster) {
      await cluster.instances.start(options.signal);
      cluster.setAvailable(true);
    }
    const n = options.instances;
    report = await drive(
      // Exercise 05: users keep writing, so that a failover shows (writes to the old primary fail).
      { ...options, emit, ...(failover ? { rewriteEvery: REWRITE_EVERY } : {}) },
      cluster?.proxy.url ?? options.url ?? "",
      cluster
        ? `${n} instance${n === 1 ? "" : "s"} of ${cluster.app.command.description}`
        : (options.url ?? ""),
    );
    // With the page open, the summary stays on the projector until Ctrl-C.
    if (live && !options.signal.aborted) {
      emit({
        type: "warning",
        message: "The live page stays open with the summary: Ctrl-C closes it.",
      });
      await untilAborted(options.signal);
      return report;
    }
  } finally {
    await failover?.close();
    await live?.close();
    await lab.close();
  }
  if (options.signal.aborted) {
    throw new InterruptedError(
      "The load run was interrupted.",
      "Run it again, with a shorter --duration if need be.",
    );
  }
  return report;
}

async function drive(
  options: LoadOptions & { rewriteEvery?: number },
  url: string,
  target: string,
): Promise<LoadReport> {
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
    ...(options.rewriteEvery ? { rewriteEvery: options.rewriteEvery } : {}),
    signal: options.signal,
    onProgress: (progress) => options.emit({ type: "load:progress", ...progress }),
  });
  const report: LoadReport = {
    schema: "session-lab/load@1",
    target,
    users: options.users,
    ...stats,
  };
  const sent = stats.requests + stats.errors;
  // A run where most requests got no answer measured nothing: that is an error, not a result.
  if (!options.signal.aborted && (stats.reads === 0 || stats.errors * 2 > sent)) {
    throw new LoadFailedError(
      `${stats.errors} of ${sent} requests failed${stats.firstError ? `: ${stats.firstError}` : ""}.`,
      `Is ${target} running and answering? Try it with curl, or run \`${typed("check")}\` first.`,
      report,
    );
  }
  options.emit({ type: "load:end", report });
  return report;
}

/** A load run that measured nothing: most of its requests got no answer. */
export class LoadFailedError extends LabError {
  constructor(
    message: string,
    hint: string,
    readonly report: LoadReport,
  ) {
    super(message, hint);
  }
}
