import { Cluster } from "../cluster/cluster.js";
import { assertCommandFound } from "../cluster/command.js";
import { findFreePortRange, instancePorts } from "../cluster/ports.js";
import { beginRun } from "../cluster/run-record.js";
import { AppStartError, InterruptedError, RedisUnavailableError } from "../errors.js";
import type { Emit, InstanceRef } from "../events.js";
import { startProxy } from "../proxy/proxy.js";
import { findRedis, type RedisInUse } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import { CannotRunError } from "../scenarios/client.js";
import { bootThroughUrl, type CheckTarget } from "../scenarios/run.js";
import { SCENARIO_TITLES, type ScenarioResult } from "../scenarios/types.js";
import type { Exercise } from "../workspace/catalogue.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace, removeSessionDirs } from "../workspace/workspace.js";
import { prepareApp } from "./app.js";
import { type CheckReport, elapsedSince, gradeTarget } from "./check-report.js";
import { CleanupStack } from "./cleanup.js";

/** How long one scripted request may take before the check says the app hangs. */
export const REQUEST_TIMEOUT_MS = 5000;

export interface CheckOptions {
  readonly exercise: string | undefined;
  readonly instances: number;
  readonly host: string;
  readonly dir: string;
  readonly cmd: string | undefined;
  readonly solution: boolean;
  readonly redisUrl: string | undefined;
  readonly timeoutMs: number;
  /** Whether --dir was given (then it must exist). */
  readonly dirGiven?: boolean;
  /** Grade a deployment the lab did not start (e.g. HAProxy in front of two instances). */
  readonly url: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  readonly signal: AbortSignal;
}

/**
 * Spawns a private cluster on free ports (or uses --url), runs the exercise's scenarios
 * through the proxy and returns the report. A failed grade is a result, not an exception.
 */
export async function check(options: CheckOptions): Promise<CheckReport> {
  const began = performance.now();
  const chosen = chooseRedisUrl(options.redisUrl, options.env);
  const exercise = await resolveExercise(options.exercise, options.dir);
  if (!options.url) await assertUsableWorkspace(options.dir, options.dirGiven === true);
  if (options.cmd && !options.url) await assertCommandFound(options.cmd, options.env, options.cwd);
  const cleanup = new CleanupStack();
  try {
    if (!options.url) {
      cleanup.defer(
        await beginRun(options.dir, (l) => options.emit({ type: "leftover:stopped", ...l })),
      );
    }
    // Without any Redis the starter can still be graded (it fails before Redis matters); the
    // solution cannot. A deployment given by --url uses its own Redis, never a private one.
    const redis = await findRedis({ chosen, env: options.env, startPrivate: !options.url }).catch(
      (error: unknown) => {
        if (!(error instanceof RedisUnavailableError) || options.solution || chosen) throw error;
        return undefined;
      },
    );
    if (redis) cleanup.defer(() => redis.close());
    const report = await checkWith(options, exercise, redis, began);
    if (options.signal.aborted) {
      throw new InterruptedError(
        "The check was interrupted, so nothing was graded.",
        "Run it again to get a verdict.",
      );
    }
    return report;
  } finally {
    await cleanup.run();
  }
}

async function checkWith(
  options: CheckOptions,
  exercise: Exercise,
  redis: RedisInUse | undefined,
  began: number,
): Promise<CheckReport> {
  const redisLabel = redis ? `${redis.label} (${redis.source})` : "none found";

  if (options.url) {
    options.emit({
      type: "check:begin",
      exercise: exercise.id,
      title: exercise.title,
      target: options.url,
      redis: redisLabel,
    });
    const target: CheckTarget = {
      proxyUrl: options.url,
      instances: undefined,
      expectedInstances: options.instances,
      redisUrl: redis?.url,
      redisLabel,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      signal: options.signal,
    };
    const boot = await bootThroughUrl(target);
    return gradeTarget({
      exercise,
      target,
      boot,
      began,
      emit: options.emit,
      targetInfo: { kind: "url", url: options.url, redis: redisLabel },
    });
  }

  const ports = await findFreePortRange(options.instances + 1, options.host);
  const [proxyPort = 0] = ports;
  const instancePortList = instancePorts(proxyPort, options.instances);
  // The check's own cluster is quiet: app output only shows up when something fails.
  const quiet: Emit = (event) => {
    if (event.type === "workspace:created") options.emit(event);
  };
  const app = await prepareApp({
    ...options,
    workspace: options.dir,
    exercise,
    redis,
    emit: quiet,
  });
  const upstreams: InstanceRef[] = instancePortList.map((port, i) => ({ index: i + 1, port }));
  const proxy = await startProxy({
    host: options.host,
    port: proxyPort,
    upstreams,
    emit: () => {},
    upstreamTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const cluster = new Cluster({
    command: app.command,
    host: options.host,
    ports: instancePortList,
    env: app.env,
    timeoutMs: options.timeoutMs,
    emit: () => {},
    onUnexpectedExit: (ref) => proxy.setAvailable(ref.index, false),
  });
  const setAvailable = (value: boolean) => {
    for (const u of upstreams) proxy.setAvailable(u.index, value);
  };
  const targetInfo = {
    kind: "cluster" as const,
    url: proxy.url,
    command: app.command.description,
    redis: redisLabel,
  };
  // Progress is the attendee's own work: the reference solution and --cmd do not count.
  const record = options.solution || options.cmd ? undefined : options.dir;
  options.emit({
    type: "check:begin",
    exercise: exercise.id,
    title: exercise.title,
    target: `${options.instances} instance${options.instances === 1 ? "" : "s"} of ${app.command.description}`,
    redis: redisLabel,
  });
  try {
    const bootStarted = performance.now();
    try {
      await cluster.start(options.signal);
    } catch (error) {
      if (!(error instanceof AppStartError)) throw error;
      const boot: ScenarioResult = {
        ...bootResult("error", error.message, elapsedSince(bootStarted)),
        cause: "the app did not start",
        hint: error.hint,
        lastLines: error.lastLines,
      };
      return gradeTarget({
        exercise,
        target: undefined,
        boot,
        began,
        emit: options.emit,
        targetInfo,
        record,
      });
    }
    setAvailable(true);
    const boot = bootResult(
      "pass",
      `${upstreams.map((u) => `:${u.port}`).join(", ")} answered in ${elapsedSince(bootStarted)} ms`,
      elapsedSince(bootStarted),
    );
    const target: CheckTarget = {
      proxyUrl: proxy.url,
      instances: instancePortList,
      expectedInstances: options.instances,
      restart: async () => {
        setAvailable(false);
        try {
          await cluster.restart(options.signal);
        } catch (error) {
          if (error instanceof AppStartError)
            throw new CannotRunError(`after the restart: ${error.message}`);
          throw error;
        }
        setAvailable(true);
      },
      redisUrl: redis?.url,
      redisLabel,
      logOf: (port) => cluster.instances.find((i) => i.ref.port === port)?.log.lines ?? [],
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      signal: options.signal,
    };
    return await gradeTarget({
      exercise,
      target,
      boot,
      began,
      emit: options.emit,
      targetInfo,
      record,
    });
  } finally {
    await cluster.close();
    await proxy.close();
    // The check's instances ran on throwaway ports: their session files are of no use to anyone.
    if (app.watchDir) await removeSessionDirs(app.watchDir, exercise.sessionDirs, instancePortList);
  }
}

function bootResult(status: "pass" | "error", summary: string, ms: number): ScenarioResult {
  return { id: "boot", title: SCENARIO_TITLES.boot, status, summary, observations: [], ms };
}
