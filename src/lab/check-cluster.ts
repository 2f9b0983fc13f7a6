import { CannotRunError } from "../client/client.js";
import { AppStartError, checkInterrupted, throwIfInterrupted } from "../errors.js";
import type { Emit, EventOf } from "../events.js";
import { type CheckReport, elapsedSince } from "../model/check-report.js";
import { bootFailed, bootOfRunning, bootPassed } from "../scenarios/boot.js";
import type { CheckTarget } from "../scenarios/context.js";
import { runCheck } from "../scenarios/runner.js";
import type { Lab, LabCluster } from "./setup.js";

/** How long one scripted request may take before the check says the app hangs. */
export const REQUEST_TIMEOUT_MS = 5000;

export interface ClusterCheckOptions {
  /**
   * How the instances come up. "boot": the check starts them (a private lab of `check`);
   * "running": they already run, in `start`, and `restart` restarts them the way r does.
   */
  readonly instances: { readonly boot: true } | { readonly restart: () => Promise<void> };
  readonly emit: Emit;
  /** Stops the check after the request under way. */
  readonly signal: AbortSignal;
  /** Where the attendee finds the next hint, said under a failure. */
  readonly hint?: EventOf<"check:end">["hint"];
}

/**
 * The exercise's scenarios against the lab's own cluster: `check`, and the c key of a running
 * `start`. Booting is the first scenario; a failed boot is a report, not an exception.
 */
export async function checkCluster(
  lab: Lab & { cluster: LabCluster },
  options: ClusterCheckOptions,
): Promise<CheckReport> {
  const { cluster, exercise } = lab;
  const { emit, signal } = options;
  const began = performance.now();
  const ports = cluster.upstreams.map((u) => u.port);
  const running = "restart" in options.instances;
  const n = ports.length;
  emit({
    type: "check:begin",
    exercise: exercise.id,
    title: exercise.title,
    target: `${running ? "the running " : ""}${n} instance${n === 1 ? "" : "s"} of ${cluster.app.command.description}`,
    redis: lab.redisLabel,
  });
  const targetInfo = {
    kind: "cluster" as const,
    url: cluster.proxy.url,
    command: cluster.app.command.description,
    redis: lab.redisLabel,
  };
  const boot = running
    ? bootOfRunning(
        ports,
        cluster.instances.instances.filter((i) => !i.running).map((i) => i.ref.port),
      )
    : await bootCluster(cluster, signal);
  const report = await runCheck({
    exercise,
    boot,
    target: boot.status === "pass" ? clusterTarget(lab, options) : undefined,
    began,
    emit,
    targetInfo,
    signal,
    hint: options.hint,
  });
  return report;
}

async function bootCluster(cluster: LabCluster, signal: AbortSignal) {
  const started = performance.now();
  try {
    await cluster.instances.start(signal);
  } catch (error) {
    throwIfInterrupted(signal, checkInterrupted);
    if (!(error instanceof AppStartError)) throw error;
    return bootFailed(error, elapsedSince(started));
  }
  // Interrupted while booting: the instances did not all answer, so boot did not pass.
  throwIfInterrupted(signal, checkInterrupted);
  cluster.setAvailable(true);
  return bootPassed(
    cluster.upstreams.map((u) => u.port),
    elapsedSince(started),
  );
}

function clusterTarget(
  lab: Lab & { cluster: LabCluster },
  options: ClusterCheckOptions,
): CheckTarget {
  const { cluster } = lab;
  const { signal } = options;
  const restartRunning = "restart" in options.instances ? options.instances.restart : undefined;
  const restart = async () => {
    if (restartRunning) {
      await restartRunning();
      if (cluster.instances.instances.some((i) => !i.running))
        throw new CannotRunError("after the restart, not every instance came back");
      return;
    }
    cluster.setAvailable(false);
    try {
      await cluster.instances.restart(signal);
    } catch (error) {
      if (error instanceof AppStartError)
        throw new CannotRunError(`after the restart: ${error.message}`);
      throw error;
    }
    cluster.setAvailable(true);
  };
  return {
    proxyUrl: cluster.proxy.url,
    instances: cluster.upstreams.map((u) => u.port),
    expectedInstances: cluster.upstreams.length,
    restart,
    redisUrl: lab.redis?.url,
    redisLabel: lab.redisLabel,
    sessionPrefix: cluster.app.env.SESSION_PREFIX,
    appDir: cluster.app.command.cwd,
    expectedTtlMs: cluster.app.env.SESSION_TTL_SECONDS
      ? Number(cluster.app.env.SESSION_TTL_SECONDS) * 1000
      : undefined,
    redisControl: lab.redis?.control,
    failover: lab.redis?.failover,
    cluster: lab.redis?.cluster,
    down: () => cluster.instances.instances.filter((i) => !i.running).map((i) => i.ref.port),
    watched: () => cluster.instances.instances.map((i) => ({ port: i.ref.port, pid: i.pid })),
    instanceUrl: (port) => `http://${cluster.host}:${port}`,
    logOf: (port) => cluster.instances.instances.find((i) => i.ref.port === port)?.log.lines ?? [],
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    signal,
  };
}
