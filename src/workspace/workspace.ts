import { cp, readdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { UsageError } from "../errors.js";
import type { Emit } from "../events.js";
import type { Exercise } from "./catalogue.js";
import { ensureDir, isDirectory, isWritable, nearestExisting, pathExists } from "./fs.js";

/** Files of the exercise folder that are the lab's, not the attendee's. */
const LAB_ONLY_FILES = new Set(["exercise.json"]);

export interface PreparedExercise {
  /** The attendee's copy of the exercise, e.g. `<workspace>/01-shared-sessions`. */
  readonly dir: string;
  /** The file the attendee edits. */
  readonly entry: string;
  readonly created: boolean;
}

/** Checks that the workspace folder exists (or can be created) and is writable. */
export async function assertUsableWorkspace(workspace: string, mustExist: boolean): Promise<void> {
  const existing = await nearestExisting(workspace);
  if (existing === workspace) {
    if (!(await isDirectory(workspace))) {
      throw new UsageError(
        `--dir ${workspace} is not a folder.`,
        "Pass a folder for the workspace, or leave --dir out to use ./workshop.",
      );
    }
    if (await isWritable(workspace)) return;
    throw new UsageError(
      `The workspace folder ${workspace} is not writable.`,
      "Choose a folder you can write to with --dir.",
    );
  }
  if (mustExist) {
    throw new UsageError(
      `The workspace folder ${workspace} does not exist.`,
      "Create it first (mkdir), or pass an existing folder with --dir.",
    );
  }
  // A missing workspace is made only in a folder that exists: a typo in a path stays a typo.
  if (existing !== dirname(workspace)) {
    throw new UsageError(
      `The workspace folder ${workspace} does not exist, and neither does ${dirname(workspace)}.`,
      "Check the path given with --dir, or create its parent folder first.",
    );
  }
  // It will be created: its nearest existing parent must be a writable folder.
  if ((await isDirectory(existing)) && (await isWritable(existing))) return;
  throw new UsageError(
    `The workspace folder ${workspace} cannot be created here (${existing} is not a writable folder).`,
    "Run from a folder you can write to, or pass one with --dir.",
  );
}

/**
 * Copies the exercise's starter files into the workspace, leaving every file that is already
 * there untouched: the attendee's work is never overwritten.
 */
export async function prepareExercise(
  workspace: string,
  exercise: Exercise,
  emit: Emit,
): Promise<PreparedExercise> {
  const dir = join(workspace, exercise.id);
  const entry = join(dir, exercise.entry);
  const existed = await pathExists(entry);
  await ensureDir(dir);
  for (const name of await readdir(exercise.starterDir)) {
    if (LAB_ONLY_FILES.has(name) || exercise.sessionDirs.includes(name)) continue;
    await cp(join(exercise.starterDir, name), join(dir, name), {
      recursive: true,
      force: false,
      errorOnExist: false,
    });
  }
  const brief = join(dir, "README.md");
  emit({
    type: existed ? "workspace:found" : "workspace:created",
    exercise: exercise.id,
    dir: displayPath(dir),
    entry: displayPath(entry),
    ...((await pathExists(brief)) ? { brief: displayPath(brief) } : {}),
  });
  return { dir, entry, created: !existed };
}

/** A path as the user would type it: relative to where they are when that is shorter. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") && rel.length < path.length ? rel : path;
}

/** Removes the per-port session folders a check's instances wrote (`sessions/<port>`). */
export async function removeSessionDirs(
  exerciseDir: string,
  sessionDirs: readonly string[],
  ports: readonly number[],
): Promise<void> {
  await Promise.all(
    sessionDirs.flatMap((dir) =>
      ports.map((port) =>
        rm(join(exerciseDir, dir, String(port)), { recursive: true, force: true }),
      ),
    ),
  );
}
