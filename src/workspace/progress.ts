import { join } from "node:path";
import { type Exercise, findExercise, listExercises } from "./catalogue.js";
import { pathExists } from "./fs.js";
import { peekState, type WorkspaceState } from "./state.js";

export type ExerciseState = "not started" | "in progress" | "failing" | "passed";

/** Each exercise with where the attendee stands: from their copy and the last check. */
export async function exerciseStates(
  workspace: string,
  state?: WorkspaceState,
): Promise<{ exercise: Exercise; state: ExerciseState; checkedAt?: string; causeId?: string }[]> {
  const progress = state ?? (await peekState(workspace));
  const out = [];
  for (const exercise of await listExercises()) {
    const last = progress?.exercises[exercise.id]?.lastCheck;
    const started = await pathExists(join(workspace, exercise.id));
    const value: ExerciseState = !started
      ? "not started"
      : last?.verdict === "pass"
        ? "passed"
        : last
          ? "failing"
          : "in progress";
    out.push({
      exercise,
      state: value,
      checkedAt: last?.at,
      ...(value === "failing" && last?.causeId ? { causeId: last.causeId } : {}),
    });
  }
  return out;
}

/**
 * The shortest name that picks the exercise on a command line: its number for the main track
 * ("02"), its whole id for another track ("01" would mean the main one).
 */
export function shortName(exercise: Exercise): string {
  const number = exercise.id.split("-")[0] ?? exercise.id;
  return exercise.alternativeTo || !/^\d+$/.test(number) ? exercise.id : number;
}

/**
 * The exercise after this one, if any: what to do once it passes. The main track's next, or
 * its twin in this exercise's track when there is one (05 in Flask leads to 06 in Flask).
 */
export async function nextExercise(after: Exercise): Promise<Exercise | undefined> {
  const exercises = await listExercises();
  const all = exercises.filter((e) => !e.alternativeTo);
  const base = after.alternativeTo ?? after.id;
  const next = all[all.findIndex((e) => e.id === base) + 1];
  const twin = exercises.find(
    (e) => next !== undefined && e.alternativeTo === next.id && e.runtime === after.runtime,
  );
  return after.alternativeTo ? (twin ?? next) : next;
}

/** Why a command means the exercise it means. */
export type ExerciseChoice = "named" | "workspace" | "first";

/**
 * The exercise a command means: the one named, or else the one the workspace is on (its last
 * `start` or `check`), or, in a workspace that was never on one, the first not yet passed.
 * A pass never moves the workspace on by itself: the lab says what is next, the attendee names it.
 */
export async function chooseExercise(
  name: string | undefined,
  workspace: string,
): Promise<{ exercise: Exercise; why: ExerciseChoice }> {
  if (name !== undefined) return { exercise: await findExercise(name), why: "named" };
  const state = await peekState(workspace);
  if (state?.current) {
    const on = (await listExercises()).find((e) => e.id === state.current);
    if (on) return { exercise: on, why: "workspace" };
  }
  const states = await exerciseStates(workspace, state);
  // Another track of an exercise (the Flask one) is chosen by name, never by default.
  const main = states.filter((s) => !s.exercise.alternativeTo);
  const current = main.find((s) => s.state !== "passed") ?? main.at(-1);
  return { exercise: current?.exercise ?? (await findExercise(undefined)), why: "first" };
}

/** The exercise a command means (see chooseExercise). */
export async function resolveExercise(
  name: string | undefined,
  workspace: string,
): Promise<Exercise> {
  return (await chooseExercise(name, workspace)).exercise;
}
