import type { LabOptions } from "./lab-options.js";

/**
 * The three questions whose answers change what a lab does, answered once when it is set up
 * and read by name everywhere after (never re-derived from which options happen to be set).
 */
export interface LabModes {
  /** Who runs the instances: the lab starts them, or it grades a deployment named with --url. */
  readonly instances: "lab" | "deployment";
  /**
   * Who watches: `start` is attended (the ports asked for, every event shown, requests traced,
   * sessions kept); `check` and `load` run privately (free ports, set-up events only,
   * throwaway sessions under a prefix of their own, removed at the end).
   */
  readonly audience: "attended" | "private";
  /**
   * Whose work is graded: the attendee's (their copy of the exercise, or their own app with
   * --cmd or --url), whose checks are recorded in the workspace and published to the room;
   * or the reference solution, which counts for nobody.
   */
  readonly work: "attendee" | "reference";
}

export function labModes(options: Pick<LabOptions, "url" | "port" | "solution">): LabModes {
  return {
    instances: options.url === undefined ? "lab" : "deployment",
    audience: options.port === undefined ? "private" : "attended",
    work: options.solution ? "reference" : "attendee",
  };
}
