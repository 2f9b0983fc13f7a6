import { Cluster } from "../cluster/cluster.js";
import { assertCommandFound } from "../cluster/command.js";
import type { OutputGate } from "../cluster/output-gate.js";
import { assertPortsFree, instancePorts } from "../cluster/ports.js";
import { beginRun } from "../cluster/run-record.js";
import { RedisUnavailableError } from "../errors.js";
import type { Emit } from "../events.js";
import { startProxy } from "../proxy/proxy.js";
import { findRedis } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace } from "../workspace/workspace.js";
import { prepareApp } from "./app.js";
import { CleanupStack } from "./cleanup.js";
import { runInteractive, type StartAction } from "./start-loop.js";

export type { StartAction } from "./start-loop.js";

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
  /** Whether keys (c, r, h, q) are wired; only changes what the banner says. */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  /** Aborting stops everything and makes start() resolve. */
  readonly signal: AbortSignal;
  /** The lab's output, so the instances' logs are read no faster than it takes them. */
  readonly output?: OutputGate;
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
  const { emit, host } = options;
  // Everything that can be wrong with the options is found before anything is started.
  const chosenRedis = chooseRedisUrl(options.redisUrl, options.env);
  const exercise = await resolveExercise(options.exercise, options.dir);
  const ports = instancePorts(options.port, options.instances);
  await assertUsableWorkspace(options.dir, options.dirGiven === true);
  if (options.cmd) await assertCommandFound(options.cmd, options.env, options.cwd);
  if (host === "0.0.0.0" || host === "::") {
    emit({
      type: "warning",
      message: `Listening on ${host}: anyone on this network (conference Wi-Fi included) can reach the proxy and the instances.`,
    });
  }

  const cleanup = new CleanupStack();
  let running = false;
  try {
    // What a killed run left holds ports: stop it before checking that the ports are free.
    cleanup.defer(await beginRun(options.dir, (l) => emit({ type: "leftover:stopped", ...l })));
    await assertPortsFree(options.port, ports, host);
    // The starter needs no Redis; the solution (and the attendee's finished copy) does.
    const redis = await findRedis({ chosen: chosenRedis, env: options.env }).catch(
      (error: unknown) => {
        if (!(error instanceof RedisUnavailableError) || options.solution || chosenRedis)
          throw error;
        emit({ type: "redis:missing", message: error.message, hint: error.hint });
        return undefined;
      },
    );
    if (redis) cleanup.defer(() => redis.close());
    const app = await prepareApp({ ...options, workspace: options.dir, exercise, redis });

    const began = performance.now();
    // While c runs a check, its scripted requests are in the check's report, not the log.
    let quietRequests = false;
    const proxy = await startProxy({
      host,
      port: options.port,
      upstreams: ports.map((port, i) => ({ index: i + 1, port })),
      upstreamTimeoutMs: options.upstreamTimeoutMs,
      emit: (event) => {
        if (!(quietRequests && event.type === "request")) emit(event);
      },
    });
    cleanup.defer(() => proxy.close());
    const cluster = new Cluster({
      command: app.command,
      host,
      ports,
      env: app.env,
      timeoutMs: options.timeoutMs,
      emit,
      onUnexpectedExit: (ref) => proxy.setAvailable(ref.index, false),
      output: options.output,
    });
    running = true;
    cleanup.defer(() => cluster.close());
    return await runInteractive({
      options,
      exercise,
      app,
      redis,
      proxy,
      cluster,
      began,
      setQuietRequests: (quiet) => {
        quietRequests = quiet;
      },
    });
  } finally {
    await cleanup.run();
    if (running) emit({ type: "stopped" });
  }
}
