import { AppStartError, InterruptedError } from "../errors.js";
import type { RedisInUse } from "../redis/discover.js";
import { CannotRunError } from "../scenarios/client.js";
import { bootThroughUrl, type CheckTarget } from "../scenarios/run.js";
import { SCENARIO_TITLES, type ScenarioResult } from "../scenarios/types.js";
import type { Exercise } from "../workspace/catalogue.js";
import { type CheckReport, elapsedSince, gradeTarget } from "./check-report.js";
import { type LabRunOptions, openPrivateCluster, withLabRun } from "./lab-run.js";

/** How long one scripted request may take before the check says the app hangs. */
export const REQUEST_TIMEOUT_MS = 5000;

export type CheckOptions = LabRunOptions;

/**
 * Spawns a private cluster on free ports (or uses --url), runs the exercise's scenarios
 * through the proxy and returns the report. A failed grade is a result, not an exception.
 */
export async function check(options: CheckOptions): Promise<CheckReport> {
  const began = performance.now();
  const report = await withLabRun(options, (exercise, redis) =>
    options.url
      ? checkUrl(options, options.url, exercise, redis, began)
      : checkCluster(options, exercise, redis, began),
  );
  if (options.signal.aborted) {
    throw new InterruptedError(
      "The check was interrupted, so nothing was graded.",
      "Run it again to get a verdict.",
    );
  }
  return report;
}

function redisLabelOf(redis: RedisInUse | undefined): string {
  return redis ? `${redis.label} (${redis.source})` : "none found";
}

async function checkUrl(
  options: CheckOptions,
  url: string,
  exercise: Exercise,
  redis: RedisInUse | undefined,
  began: number,
): Promise<CheckReport> {
  const redisLabel = redisLabelOf(redis);
  options.emit({
    type: "check:begin",
    exercise: exercise.id,
    title: exercise.title,
    target: url,
    redis: redisLabel,
  });
  const target: CheckTarget = {
    proxyUrl: url,
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
    targetInfo: { kind: "url", url, redis: redisLabel },
  });
}

async function checkCluster(
  options: CheckOptions,
  exercise: Exercise,
  redis: RedisInUse | undefined,
  began: number,
): Promise<CheckReport> {
  const redisLabel = redisLabelOf(redis);
  const lab = await openPrivateCluster(options, exercise, redis, REQUEST_TIMEOUT_MS);
  const { cluster, proxy, app, upstreams } = lab;
  const targetInfo = {
    kind: "cluster" as const,
    url: proxy.url,
    command: app.command.description,
    redis: redisLabel,
  };
  // Progress is the attendee's own work: the reference solution and --cmd do not count.
  const record = options.solution || options.cmd ? undefined : options.dir;
  const n = options.instances;
  options.emit({
    type: "check:begin",
    exercise: exercise.id,
    title: exercise.title,
    target: `${n} instance${n === 1 ? "" : "s"} of ${app.command.description}`,
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
    lab.setAvailable(true);
    const bootMs = elapsedSince(bootStarted);
    const boot = bootResult(
      "pass",
      `${upstreams.map((u) => `:${u.port}`).join(", ")} answered in ${bootMs} ms`,
      bootMs,
    );
    const target: CheckTarget = {
      proxyUrl: proxy.url,
      instances: upstreams.map((u) => u.port),
      expectedInstances: n,
      restart: async () => {
        lab.setAvailable(false);
        try {
          await cluster.restart(options.signal);
        } catch (error) {
          if (error instanceof AppStartError)
            throw new CannotRunError(`after the restart: ${error.message}`);
          throw error;
        }
        lab.setAvailable(true);
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
    await lab.close();
  }
}

function bootResult(status: "pass" | "error", summary: string, ms: number): ScenarioResult {
  return { id: "boot", title: SCENARIO_TITLES.boot, status, summary, observations: [], ms };
}
