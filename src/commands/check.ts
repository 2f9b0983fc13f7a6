import { checkInterrupted, throwIfInterrupted } from "../errors.js";
import type { EventOf } from "../events.js";
import { checkCluster, REQUEST_TIMEOUT_MS } from "../lab/check-cluster.js";
import { countCheck } from "../lab/count-check.js";
import type { LabOptions } from "../lab/lab-options.js";
import { announceNext, hintReference } from "../lab/next-step.js";
import { type Lab, openLab } from "../lab/setup.js";
import type { CheckReport } from "../model/check-report.js";
import { bootThroughUrl } from "../scenarios/boot.js";
import type { CheckTarget } from "../scenarios/context.js";
import { runCheck } from "../scenarios/runner.js";
import { chooseExercise } from "../workspace/progress.js";

export interface CheckOptions extends Omit<LabOptions, "port"> {
  /** Stops the check; it then throws InterruptedError instead of grading half a run. */
  readonly signal: AbortSignal;
  /** Do not publish this result to the room the workspace joined (--no-board). */
  readonly noBoard?: boolean;
}

/**
 * Spawns a private cluster on free ports (or uses --url), runs the exercise's scenarios
 * through the proxy and returns the report. A failed grade is a result, not an exception.
 */
export async function check(options: CheckOptions): Promise<CheckReport> {
  // Which exercise this is, said before anything else happens.
  const { exercise } = await chooseExercise(options.exercise, options.dir);
  options.emit({
    type: "exercise:chosen",
    command: "check",
    exercise: exercise.id,
    title: exercise.title,
  });
  const lab = await openLab({ ...options, exercise: exercise.id }).catch((error: unknown) => {
    throwIfInterrupted(options.signal, checkInterrupted);
    throw error;
  });
  let report: CheckReport;
  try {
    const hint = await hintReference(options.dir, lab.exercise);
    report = lab.cluster
      ? await checkCluster(
          { ...lab, cluster: lab.cluster },
          {
            instances: { boot: true },
            emit: options.emit,
            signal: options.signal,
            hint,
          },
        )
      : await checkUrl(lab, options, options.url ?? "", hint);
  } finally {
    await lab.close();
  }
  throwIfInterrupted(options.signal, checkInterrupted);
  await countCheck(lab, report, {
    dir: options.dir,
    publish: !options.noBoard,
    emit: options.emit,
  });
  await announceNext(lab, report, options.emit, false);
  return report;
}

async function checkUrl(
  lab: Lab,
  options: CheckOptions,
  url: string,
  hint: EventOf<"check:end">["hint"],
): Promise<CheckReport> {
  const began = performance.now();
  const { exercise, redisLabel } = lab;
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
    redisUrl: lab.redis?.url,
    redisLabel,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    signal: options.signal,
  };
  return runCheck({
    exercise,
    target,
    boot: await bootThroughUrl(target),
    began,
    emit: options.emit,
    targetInfo: { kind: "url", url, redis: redisLabel },
    signal: options.signal,
    hint,
  });
}
