import { InterruptedError } from "../errors.js";
import { typed } from "../invocation.js";
import { checkCluster, REQUEST_TIMEOUT_MS } from "../lab/check-cluster.js";
import { countCheck } from "../lab/count-check.js";
import type { LabOptions } from "../lab/lab-options.js";
import { type Lab, openLab } from "../lab/setup.js";
import type { CheckReport } from "../model/check-report.js";
import { bootThroughUrl } from "../scenarios/boot.js";
import type { CheckTarget } from "../scenarios/context.js";
import { runCheck } from "../scenarios/runner.js";
import { nextExercise } from "../workspace/progress.js";

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
  const lab = await openLab(options);
  let report: CheckReport;
  try {
    report = lab.cluster
      ? await checkCluster(
          { ...lab, cluster: lab.cluster },
          {
            instances: { boot: true },
            emit: options.emit,
            signal: options.signal,
          },
        )
      : await checkUrl(lab, options, options.url ?? "");
  } finally {
    await lab.close();
  }
  if (options.signal.aborted) {
    throw new InterruptedError(
      "The check was interrupted, so nothing was graded.",
      "Run it again to get a verdict.",
    );
  }
  await countCheck(lab, report, {
    dir: options.dir,
    publish: !options.noBoard,
    emit: options.emit,
  });
  if (report.verdict === "pass" && lab.modes.work === "attendee" && !options.url) {
    const next = await nextExercise(lab.exercise);
    if (next)
      options.emit({
        type: "exercise:next",
        id: next.id,
        title: next.title,
        command: typed(`start ${next.id.split("-")[0]}`),
      });
  }
  return report;
}

async function checkUrl(lab: Lab, options: CheckOptions, url: string): Promise<CheckReport> {
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
  });
}
