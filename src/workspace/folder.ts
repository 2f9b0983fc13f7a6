import { lstat, readdir, realpath, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Exercise } from "./catalogue.js";
import { prepareExercise } from "./workspace.js";

/** Where an exercise's files are: its folder in the workspace, and where that really is. */
export interface ExerciseFolder {
  /** `<workspace>/<id>`. */
  readonly path: string;
  /** The same folder with links resolved: where the files are read and written. */
  readonly real: string;
  /** Whether `path` is a link (people keep their work in a repo and link it in). */
  readonly linked: boolean;
}

export async function exerciseFolder(
  workspace: string,
  exercise: Exercise,
): Promise<ExerciseFolder> {
  const path = join(workspace, exercise.id);
  const linked = await lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
  const real = linked ? await realpath(path).catch(() => path) : path;
  return { path, real, linked };
}

/**
 * Empties an exercise folder; when it is a link, its target is emptied and the link stays.
 * The folder itself stays too: a running `start` watches it, and a watch on a folder that was
 * removed and made again sees nothing more.
 */
export async function emptyExerciseFolder(
  workspace: string,
  exercise: Exercise,
): Promise<ExerciseFolder> {
  const folder = await exerciseFolder(workspace, exercise);
  for (const name of await readdir(folder.real).catch(() => [] as string[]))
    await rm(join(folder.real, name), { recursive: true, force: true });
  return folder;
}

/** Replaces the attendee's copy of an exercise with the starter (through a link, if it is one). */
export async function restoreStarter(
  workspace: string,
  exercise: Exercise,
): Promise<ExerciseFolder> {
  const folder = await emptyExerciseFolder(workspace, exercise);
  await prepareExercise(workspace, exercise, () => {});
  return folder;
}
