import type { Emit, InstanceRef } from "../events.js";
import { type CheckTarget, runScenarios } from "../scenarios/run.js";
import type { Advisory, ScenarioId, ScenarioResult } from "../scenarios/types.js";
import type { Exercise } from "../workspace/catalogue.js";
import { recordCheck } from "../workspace/state.js";

/** Version of the JSON document `check --json` prints; bump on any breaking change. */
export const CHECK_SCHEMA = "session-lab/check@1";

export type CheckVerdict = "pass" | "fail" | "error";

/** Everything a check found: what `--json` prints, and what the terminal report shows. */
export interface CheckReport {
  readonly schema: typeof CHECK_SCHEMA;
  readonly exercise: { readonly id: string; readonly title: string };
  readonly verdict: CheckVerdict;
  /** 0 pass, 1 sessions broken, 2 could not run. */
  readonly exitCode: 0 | 1 | 2;
  readonly target: {
    readonly kind: "cluster" | "url";
    readonly url: string;
    readonly command?: string;
    readonly instances: readonly InstanceRef[];
    readonly redis: string;
  };
  readonly scenarios: readonly ScenarioResult[];
  readonly advisories: readonly Advisory[];
  /** The first failure's cause, in a few words (absent on a pass). */
  readonly cause?: string;
  readonly durationMs: number;
  readonly finishedAt: string;
}

/** pass: every scenario passed or was skipped; fail: one failed; error: one could not run and none failed. */
export function gradeRun(results: readonly ScenarioResult[]): {
  verdict: CheckVerdict;
  exitCode: 0 | 1 | 2;
  cause?: string;
} {
  const failed = results.find((r) => r.status === "fail");
  if (failed) return { verdict: "fail", exitCode: 1, cause: failed.cause };
  const errored = results.find((r) => r.status === "error");
  if (errored) return { verdict: "error", exitCode: 2, cause: errored.cause };
  if (results.length === 0) return { verdict: "error", exitCode: 2, cause: "no scenario ran" };
  return { verdict: "pass", exitCode: 0 };
}

export interface GradeTargetOptions {
  readonly exercise: Exercise;
  /** Where to send the requests; undefined when boot already failed. */
  readonly target: CheckTarget | undefined;
  readonly boot: ScenarioResult;
  readonly began: number;
  readonly emit: Emit;
  readonly targetInfo: Omit<CheckReport["target"], "instances">;
  /** The workspace whose progress to update, if any. */
  readonly record?: string;
}

/**
 * Runs the exercise's scenarios after boot, emits each result and the final report, and
 * records the verdict. Shared by `check` and the c key of a running `start`.
 */
export async function gradeTarget(options: GradeTargetOptions): Promise<CheckReport> {
  const { exercise, target, boot, emit } = options;
  emit({ type: "scenario", result: boot });
  const run =
    target && boot.status === "pass"
      ? await runScenarios(target, exercise.scenarios as readonly ScenarioId[], (result) =>
          emit({ type: "scenario", result }),
        )
      : { results: [], advisories: [] };
  const scenarios = [boot, ...run.results];
  const seen = new Set<number>(target?.instances ?? []);
  for (const s of scenarios) for (const o of s.observations) if (o.port !== null) seen.add(o.port);
  const report: CheckReport = {
    schema: CHECK_SCHEMA,
    exercise: { id: exercise.id, title: exercise.title },
    ...gradeRun(scenarios),
    target: {
      ...options.targetInfo,
      instances: [...seen].sort((a, b) => a - b).map((port, i) => ({ index: i + 1, port })),
    },
    scenarios,
    advisories: run.advisories,
    durationMs: elapsedSince(options.began),
    finishedAt: new Date().toISOString(),
  };
  if (options.record && !target?.signal?.aborted)
    await recordCheck(options.record, exercise.id, report.verdict, report.finishedAt);
  emit({ type: "check:end", report });
  return report;
}

export function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
