import type { Exercise } from "./catalogue.js";
import { isDirectory } from "./fs.js";
import { loadState, saveState } from "./state.js";

export interface ShownHint {
  readonly number: number;
  readonly total: number;
  readonly text: string;
  /** The last hint, shown again: there is no further one. */
  readonly repeated: boolean;
}

/** Where the hints send the attendee when no running `start` said where it listens. */
const DEFAULT_URL = "http://127.0.0.1:5000/";

/**
 * The next hint of an exercise, remembered per workspace: each call reveals one more, and
 * after the last one the last one is shown again. `{url}` in a hint becomes the address of
 * the attendee's running lab (`url`, else the one the last `start` of this workspace used).
 * Whether it is the last one shown again is said, so the attendee can be sent further.
 * A workspace that does not exist is not created: the hint is shown, just not remembered.
 */
export async function nextHint(
  workspace: string,
  exercise: Exercise,
  url?: string,
): Promise<ShownHint> {
  const remember = await isDirectory(workspace);
  const state = remember ? await loadState(workspace) : undefined;
  const entry = state?.exercises[exercise.id] ?? {};
  const total = exercise.hints.length;
  const repeated = (entry.hintsShown ?? 0) >= total;
  const number = Math.min((entry.hintsShown ?? 0) + 1, total);
  if (state) {
    state.exercises[exercise.id] = { ...entry, hintsShown: number };
    await saveState(workspace, state);
  }
  const base = url ?? state?.lastUrl ?? DEFAULT_URL;
  const text = (exercise.hints[number - 1] ?? "").replaceAll("{url}", base.replace(/\/$/, ""));
  return { number, total, text, repeated };
}
