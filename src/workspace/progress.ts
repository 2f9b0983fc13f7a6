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

/** The main-track exercise after this one, if any: what to do once it passes. */
export async function nextExercise(after: Exercise): Promise<Exercise | undefined> {
  const all = (await listExercises()).filter((e) => !e.alternativeTo);
  const base = after.alternativeTo ?? after.id;
  return all[all.findIndex((e) => e.id === base) + 1];
}

/**
 * The exercise a command means: the one named, or else the current one (the first not yet
 * passed in this workspace; the last one when all have passed).
 */
export async function resolveExercise(
  name: string | undefined,
  workspace: string,
): Promise<Exercise> {
  if (name !== undefined) return findExercise(name);
  const states = await exerciseStates(workspace);
  // Another track of an exercise (the Flask one) is chosen by name, never by default.
  const main = states.filter((s) => !s.exercise.alternativeTo);
  const current = main.find((s) => s.state !== "passed") ?? main.at(-1);
  return current?.exercise ?? findExercise(undefined);
}
