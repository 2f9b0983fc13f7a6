import type { Exercise } from "./catalogue.js";
import { loadState, saveState } from "./state.js";

export interface ShownHint {
  readonly number: number;
  readonly total: number;
  readonly text: string;
}

/**
 * The next hint of an exercise, remembered per workspace: each call reveals one more, and
 * after the last one the last one is shown again.
 */
export async function nextHint(workspace: string, exercise: Exercise): Promise<ShownHint> {
  const state = await loadState(workspace);
  const entry = state.exercises[exercise.id] ?? {};
  const total = exercise.hints.length;
  const number = Math.min((entry.hintsShown ?? 0) + 1, total);
  state.exercises[exercise.id] = { ...entry, hintsShown: number };
  await saveState(workspace, state);
  return { number, total, text: exercise.hints[number - 1] ?? "" };
}
