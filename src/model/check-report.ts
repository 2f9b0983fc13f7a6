import { OUTCOME_EXIT_CODES, type Outcome, type OutcomeExitCode } from "../outcome.js";
import type { InstanceRef } from "./instance.js";
import type { Advisory, CauseId, Confidence, ScenarioResult } from "./results.js";

/**
 * Version of the JSON document `check --json` prints; bump on any change. @2 added `causeId`
 * (report and scenarios) and `evidence` (scenarios); @3 added `confidence` and `experiments`
 * (report and failing scenarios) and `observation` (could the lab watch Redis, and if not,
 * why). Every field of the earlier versions is still there.
 */
export const CHECK_SCHEMA = "session-lab/check@3";

/** Whether the lab could watch what the instances sent Redis during the check. */
export interface ObservationInfo {
  readonly watched: boolean;
  /** Why it could not (MONITOR refused, no Redis, a deployment given with --url). */
  readonly why?: string;
}

export type CheckVerdict = "pass" | "fail" | "error";

/** What each verdict means for the command that graded it. */
export const VERDICT_OUTCOMES: Record<CheckVerdict, Outcome> = {
  pass: "success",
  fail: "failed",
  error: "could-not-run",
};

/** Where a check sent its requests, as the report shows it. */
export interface CheckTargetInfo {
  readonly kind: "cluster" | "url";
  readonly url: string;
  readonly command?: string;
  readonly redis: string;
}

/** Everything a check found: what `--json` prints, and what the terminal report shows. */
export interface CheckReport {
  readonly schema: typeof CHECK_SCHEMA;
  readonly exercise: { readonly id: string; readonly title: string };
  readonly verdict: CheckVerdict;
  /** The process's exit code for this verdict: 0 pass, 1 sessions broken, 2 could not run. */
  readonly exitCode: OutcomeExitCode;
  readonly target: CheckTargetInfo & { readonly instances: readonly InstanceRef[] };
  readonly scenarios: readonly ScenarioResult[];
  readonly advisories: readonly Advisory[];
  /** The first failure's cause, in a few words (absent on a pass). */
  readonly cause?: string;
  /** The first failure's cause as a stable id (absent on a pass). */
  readonly causeId?: CauseId;
  /** How sure the lab is of that cause (absent on a pass). */
  readonly confidence?: Confidence;
  readonly observation?: ObservationInfo;
  readonly durationMs: number;
  readonly finishedAt: string;
}

/** pass: every scenario passed or was skipped; fail: one failed; error: one could not run and none failed. */
export function gradeRun(results: readonly ScenarioResult[]): {
  verdict: CheckVerdict;
  cause?: string;
  causeId?: CauseId;
  confidence?: Confidence;
} {
  const failed = results.find((r) => r.status === "fail");
  if (failed) return { verdict: "fail", ...causeOf(failed) };
  const errored = results.find((r) => r.status === "error");
  if (errored) return { verdict: "error", ...causeOf(errored) };
  if (results.length === 0)
    return { verdict: "error", cause: "no scenario ran", causeId: "no-scenario" };
  return { verdict: "pass" };
}

function causeOf(result: ScenarioResult): {
  cause?: string;
  causeId?: CauseId;
  confidence?: Confidence;
} {
  return {
    ...(result.cause === undefined ? {} : { cause: result.cause }),
    ...(result.causeId === undefined ? {} : { causeId: result.causeId }),
    ...(result.confidence === undefined ? {} : { confidence: result.confidence }),
  };
}

export interface ReportFacts {
  readonly exercise: { readonly id: string; readonly title: string };
  readonly target: CheckTargetInfo;
  /** Instance ports the lab knows of; more are learnt from the observations. */
  readonly instances: readonly number[];
  readonly scenarios: readonly ScenarioResult[];
  readonly advisories: readonly Advisory[];
  readonly observation?: ObservationInfo;
  readonly durationMs: number;
  readonly finishedAt: string;
}

/** The report of a finished check, from what it saw: pure, so it is tested by tables. */
export function buildCheckReport(facts: ReportFacts): CheckReport {
  const seen = new Set<number>(facts.instances);
  for (const s of facts.scenarios)
    for (const o of s.observations) if (o.port !== null) seen.add(o.port);
  const { verdict, cause, causeId, confidence } = gradeRun(facts.scenarios);
  return {
    schema: CHECK_SCHEMA,
    exercise: { id: facts.exercise.id, title: facts.exercise.title },
    verdict,
    exitCode: OUTCOME_EXIT_CODES[VERDICT_OUTCOMES[verdict]],
    target: {
      ...facts.target,
      instances: [...seen].sort((a, b) => a - b).map((port, i) => ({ index: i + 1, port })),
    },
    scenarios: facts.scenarios,
    advisories: facts.advisories,
    ...(cause === undefined ? {} : { cause }),
    ...(causeId === undefined ? {} : { causeId }),
    ...(confidence === undefined ? {} : { confidence }),
    ...(facts.observation ? { observation: facts.observation } : {}),
    durationMs: facts.durationMs,
    finishedAt: facts.finishedAt,
  };
}

/**
 * The report of a check that could not run at all (a bad option, no Redis, an app that cannot
 * be started): `check --json` prints it, so stdout is never empty.
 */
export function couldNotRunReport(
  reason: { message: string; hint?: string },
  exercise: { id: string; title: string } | undefined,
): CheckReport & { hint?: string } {
  return {
    schema: CHECK_SCHEMA,
    exercise: exercise ?? { id: "", title: "" },
    verdict: "error",
    exitCode: OUTCOME_EXIT_CODES["could-not-run"],
    target: { kind: "cluster", url: "", redis: "", instances: [] },
    scenarios: [],
    advisories: [],
    cause: reason.message,
    ...(reason.hint ? { hint: reason.hint } : {}),
    durationMs: 0,
    finishedAt: new Date().toISOString(),
  };
}

/** What `load --json` prints. */

export function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
