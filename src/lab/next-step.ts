import type { Emit, EventOf } from "../events.js";
import { typed } from "../invocation.js";
import type { CheckReport } from "../model/check-report.js";
import type { Exercise } from "../workspace/catalogue.js";
import { nextExercise, resolveExercise, shortName } from "../workspace/progress.js";
import type { Lab } from "./setup.js";

/**
 * After the attendee's own work passed: one line saying which exercise comes next and what
 * moves the workspace on to it (a pass never does by itself).
 */
export async function announceNext(
  lab: Lab,
  report: CheckReport,
  emit: Emit,
  running: boolean,
): Promise<void> {
  if (report.verdict !== "pass" || lab.modes.work !== "attendee" || lab.modes.instances !== "lab")
    return;
  const next = await nextExercise(lab.exercise);
  if (!next) return;
  emit({
    type: "exercise:next",
    id: next.id,
    title: next.title,
    command: typed(`start ${shortName(next)}`),
    current: lab.exercise.id,
    running,
  });
}

/**
 * A command about the exercise as the attendee types it (`hint`, `solution`), naming the
 * exercise only when the bare command would mean another one (another track, another start's).
 */
export async function commandAbout(
  dir: string,
  exercise: Exercise,
  verb: "hint" | "solution",
): Promise<string> {
  const bare = await resolveExercise(undefined, dir).catch(() => undefined);
  return typed(bare?.id === exercise.id ? verb : `${verb} ${shortName(exercise)}`);
}

/** Where a failed check's attendee finds the next hint. */
export async function hintReference(
  dir: string,
  exercise: Exercise,
): Promise<NonNullable<EventOf<"check:end">["hint"]>> {
  return { command: await commandAbout(dir, exercise, "hint") };
}
