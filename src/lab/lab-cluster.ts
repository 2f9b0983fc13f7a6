import { randomBytes } from "node:crypto";
import { Cluster } from "../cluster/cluster.js";
import type { Emit, InstanceRef } from "../events.js";
import { stopMarked } from "../processes/marker.js";
import { instancePorts } from "../processes/ports.js";
import { type LabProxy, startProxy } from "../proxy/proxy.js";
import { removeKeysWithPrefix } from "../redis/cleanup.js";
import type { RedisInUse } from "../redis/server.js";
import type { Exercise } from "../workspace/catalogue.js";
import { removeSessionDirs } from "../workspace/workspace.js";
import { type PreparedApp, prepareApp } from "./app.js";
import type { CleanupStack } from "./cleanup-stack.js";
import type { LabOptions } from "./lab-options.js";
import type { LabModes } from "./modes.js";
import { settleAll } from "./settle.js";

/** The instances and the proxy in front of them. */
export interface LabCluster {
  readonly app: PreparedApp;
  readonly proxy: LabProxy;
  readonly instances: Cluster;
  readonly upstreams: readonly InstanceRef[];
  /** The address the instances are reached on directly (the host they bind, or loopback). */
  readonly host: string;
  /** Takes every instance out of (false) or back into (true) the proxy's rotation. */
  setAvailable(available: boolean): void;
  /** Hides (false) or shows (true) the proxy's per-request events. */
  traceRequests(on: boolean): void;
}

/**
 * The app prepared, the proxy listening and the instances ready to boot (not booted: the
 * caller decides when, since a check grades the boot). Their teardown is put on `cleanup`.
 */
export async function openCluster(
  options: LabOptions,
  context: {
    readonly exercise: Exercise;
    readonly redis: RedisInUse | undefined;
    readonly proxyPort: number;
    /** The run marker every instance (and whatever it starts) carries. */
    readonly runId: string;
    readonly modes: LabModes;
    readonly emit: Emit;
    readonly cleanup: CleanupStack;
  },
): Promise<LabCluster> {
  const { exercise, redis, proxyPort, runId, emit, cleanup } = context;
  const attended = context.modes.audience === "attended";
  const ports = instancePorts(proxyPort, options.instances);
  const upstreams = ports.map((port, i) => ({ index: i + 1, port }));
  let tracing = attended;
  const [app, proxy] = await settleAll(cleanup, [
    prepareApp({
      ...options,
      workspace: options.dir,
      exercise,
      redis,
      emit,
      // A private run's sessions are throwaway: under a prefix of their own, removed at close.
      prefixSuffix: attended ? undefined : `run-${randomBytes(3).toString("hex")}:`,
      graded: !attended,
      runId,
    }),
    startProxy({
      host: options.host,
      port: proxyPort,
      upstreams,
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      emit,
      traced: () => tracing,
    }),
  ]);
  const instances = new Cluster({
    command: app.command,
    host: options.host,
    ports,
    env: app.env,
    timeoutMs: options.timeoutMs,
    emit,
    onUnexpectedExit: (ref) => proxy.setAvailable(ref.index, false),
    output: options.output,
  });
  cleanup.defer(async () => {
    await Promise.all([instances.close(), proxy.close()]);
    // What the apps started outside their process groups (daemons) carries the run's marker.
    for (const p of await stopMarked(runId))
      emit({ type: "leftover:stopped", pid: p.pid, command: p.command, reason: "escaped" });
    if (attended) return;
    // These instances ran on throwaway ports under a throwaway prefix: their data is no one's.
    const prefix = app.env.SESSION_PREFIX;
    await Promise.all([
      app.watchDir ? removeSessionDirs(app.watchDir, exercise.sessionDirs, ports) : undefined,
      redis && prefix ? removeKeysWithPrefix(redis.url, prefix).catch(() => 0) : undefined,
    ]);
  });
  return {
    app,
    proxy,
    instances,
    upstreams,
    host: options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host,
    setAvailable(available) {
      for (const u of upstreams) proxy.setAvailable(u.index, available);
    },
    traceRequests(on) {
      tracing = on && attended;
    },
  };
}
