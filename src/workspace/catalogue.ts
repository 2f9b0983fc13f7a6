import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { typed } from "../invocation.js";
import { exercisesDir, solutionsDir } from "./paths.js";

/** The metadata of one exercise, read from `exercises/<id>/exercise.json`. */
export interface Exercise {
  /** Folder name, e.g. `01-shared-sessions`. */
  readonly id: string;
  readonly title: string;
  /** One sentence: what the attendee has to achieve. */
  readonly goal: string;
  /** The file the attendee edits and the lab runs, relative to the exercise folder. */
  readonly entry: string;
  /** What runs the entry: node (default), or the first Python that has Flask and Flask-Session. */
  readonly runtime?: "node" | "python";
  /** Environment every instance gets, and what `check` and `load` change of it. */
  readonly env?: Readonly<Record<string, string>>;
  readonly checkEnv?: Readonly<Record<string, string>>;
  /**
   * "private": the exercise needs a Redis of the lab's own, which it may take away;
   * "sentinel": a primary, a replica and three sentinels of the lab's own, which it fails over;
   * "cluster": a Redis Cluster of the lab's own (three primaries, three replicas).
   */
  readonly redis?: "private" | "sentinel" | "cluster";
  /** The exercise this one is another track of (the same lesson in another language). */
  readonly alternativeTo?: string;
  /** The causeId the untouched starter must fail with (npm run check:course proves it). */
  readonly starterCause?: string;
  /** Folders (relative to the exercise) where the starter keeps file sessions. */
  readonly sessionDirs: readonly string[];
  /** The scenarios that grade it, in order. */
  readonly scenarios: readonly string[];
  /** Progressive hints, vaguest first. */
  readonly hints: readonly string[];
  /** Absolute paths of the starter and the reference solution folders. */
  readonly starterDir: string;
  readonly solutionDir: string;
}

export async function listExercises(): Promise<Exercise[]> {
  const entries = await readdir(exercisesDir, { withFileTypes: true });
  const ids = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(ids.map(loadExercise));
}

async function loadExercise(id: string): Promise<Exercise> {
  const raw = JSON.parse(await readFile(join(exercisesDir, id, "exercise.json"), "utf8"));
  return {
    ...raw,
    id,
    starterDir: join(exercisesDir, id),
    solutionDir: join(solutionsDir, id),
  };
}

/**
 * Finds an exercise by its id, by its number ("1", "01": the digits before the first dash)
 * or by a prefix of its id longer than that number ("01-sh"), as long as only one matches.
 * "0" matches nothing. Without a name, the first exercise.
 */
export async function findExercise(name: string | undefined): Promise<Exercise> {
  const all = await listExercises();
  if (name === undefined) {
    const first = all[0];
    if (!first) throw new Error(`no exercises found in ${exercisesDir}`);
    return first;
  }
  const wanted = name.trim().toLowerCase();
  const exact = all.find((e) => e.id === wanted);
  if (exact) return exact;
  // "01" means the main track's 01, not its other-language twin.
  const matches = all.filter((e) => {
    const number = e.id.split("-")[0] ?? "";
    if (/^\d+$/.test(wanted)) return /^\d+$/.test(number) && Number(number) === Number(wanted);
    return e.id.startsWith(wanted) && wanted.length > number.length;
  });
  const main = matches.filter((e) => !e.alternativeTo);
  const [only] = matches.length > 1 && main.length === 1 ? main : matches;
  if ((matches.length === 1 || main.length === 1) && only) return only;
  const choices = (matches.length > 1 ? matches : all).map((e) => e.id).join(", ");
  throw new UsageError(
    matches.length > 1
      ? `"${name}" could mean ${choices}.`
      : `There is no exercise called "${name}".`,
    `Choose one of: ${choices} (run \`${typed("list")}\` to see them).`,
  );
}
