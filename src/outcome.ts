/**
 * How a command ended, before it is an exit code. Commands and reports speak in outcomes;
 * `src/main.ts` is the one place that turns an outcome, an error or a signal into the code.
 */
export type Outcome = "success" | "failed" | "could-not-run";

/** 0 success, 1 the graded thing failed, 2 usage or environment error. */
export const OUTCOME_EXIT_CODES = { success: 0, failed: 1, "could-not-run": 2 } as const;

export type OutcomeExitCode = (typeof OUTCOME_EXIT_CODES)[Outcome];
