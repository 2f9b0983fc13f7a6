import { cp, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { LabError } from "../errors.js";
import type { Emit } from "../events.js";
import {
  backupFolders,
  partialBackupDir,
  pruneBackups,
  publish,
  removeAbandoned,
} from "./backup-folders.js";
import type { Exercise } from "./catalogue.js";
import { emptyExerciseFolder, exerciseFolder } from "./folder.js";
import { isDirectory } from "./fs.js";
import { displayPath } from "./workspace.js";

export { backupsDir, MAX_BACKUPS } from "./backup-folders.js";

/** Files larger than this are not copied into a backup (see `large` in the result). */
export const LARGE_FILE_BYTES = 20 * 1024 * 1024;

/** A large file a backup did not copy: moved into it (reset) or left where it is (apply). */
export interface LargeFile {
  readonly file: string;
  readonly bytes: number;
  readonly how: "moved" | "left";
}

export interface Backup {
  readonly dir: string;
  readonly exercises: string[];
  readonly large: LargeFile[];
  /** How many older backups were removed to keep the newest MAX_BACKUPS. */
  readonly pruned: number;
}

/**
 * Copies what the attendee sees of these exercises to `.session-lab/backups/<timestamp>/<id>/`:
 * an exercise folder that is a link is followed; links inside it stay links (relative ones
 * relative), and modes and timestamps are kept. Session folders are left out (the lab's
 * data). Files over LARGE_FILE_BYTES are not copied: with `moveLarge` (the caller is about
 * to remove them) they are moved into the backup, else left in place. Returns undefined when
 * none of the exercises has files yet.
 *
 * Atomic: the copy is made in a hidden folder and renamed into place only once complete, so
 * a backup that failed half-way never exists under a timestamp, never counts as the newest
 * and never pushes a complete one out of the newest MAX_BACKUPS.
 */
export async function backupExercises(
  workspace: string,
  exercises: readonly Exercise[],
  options: { moveLarge?: boolean } = {},
): Promise<Backup | undefined> {
  const present = [];
  for (const exercise of exercises) {
    if (await isDirectory(join(workspace, exercise.id))) present.push(exercise);
  }
  if (present.length === 0) return undefined;
  await removeAbandoned(workspace);
  const partial = await partialBackupDir(workspace);
  const large: LargeFile[] = [];
  const toMove: Move[] = [];
  const moved: Move[] = [];
  try {
    for (const exercise of present) {
      const from = (await exerciseFolder(workspace, exercise)).real;
      await cp(from, join(partial, exercise.id), {
        recursive: true,
        verbatimSymlinks: true,
        preserveTimestamps: true,
        filter: async (source, destination) => {
          if (exercise.sessionDirs.some((s) => source === join(from, s))) return false;
          const info = await lstat(source);
          if (!info.isFile() || info.size <= LARGE_FILE_BYTES) return true;
          const file = join(exercise.id, relative(from, source));
          if (options.moveLarge) toMove.push({ source, destination });
          large.push({ file, bytes: info.size, how: options.moveLarge ? "moved" : "left" });
          return false;
        },
      });
    }
    // Large files are moved in only once everything else is copied, and moved back on failure.
    for (const move of toMove) {
      await mkdir(dirname(move.destination), { recursive: true });
      await moveFile(move.source, move.destination);
      moved.push(move);
    }
    const dir = await publish(workspace, partial);
    return {
      dir,
      exercises: present.map((e) => e.id),
      large,
      pruned: await pruneBackups(workspace, dir),
    };
  } catch (error) {
    let restored = true;
    for (const move of moved.reverse()) {
      await moveFile(move.destination, move.source).catch(() => {
        restored = false;
      });
    }
    // A large file that could not be moved back is only there: the hidden folder stays.
    if (restored) await rm(partial, { recursive: true, force: true }).catch(() => {});
    throw new LabError(
      `Could not back up ${present.map((e) => e.id).join(", ")} (${(error as Error).message}), so nothing was changed.`,
      restored
        ? "Make that file readable, or move it out of the exercise folder, then run this again."
        : `Some large files are still in ${displayPath(partial)}: move them back, then run this again.`,
      { cause: error },
    );
  }
}

/** Backs up and says so: where, which large files were moved or left, how many old backups went. */
export async function backUpAndTell(
  workspace: string,
  exercises: readonly Exercise[],
  emit: Emit,
  options: { moveLarge?: boolean } = {},
): Promise<Backup | undefined> {
  const backup = await backupExercises(workspace, exercises, options);
  if (backup)
    emit({
      type: "backup:created",
      dir: displayPath(backup.dir),
      exercises: backup.exercises,
      large: backup.large,
      pruned: backup.pruned,
    });
  return backup;
}

interface Move {
  readonly source: string;
  readonly destination: string;
}

/** The newest backup folder, or undefined when there is none. */
export async function latestBackup(workspace: string): Promise<string | undefined> {
  return (await backupFolders(workspace)).at(-1);
}

/** The exercise ids a backup folder holds. */
export async function exercisesInBackup(backup: string): Promise<string[]> {
  const entries = await readdir(backup, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/**
 * Puts an exercise back as it is in `backup`, byte for byte. When the exercise folder is a
 * link, its target is emptied and refilled (the link stays); returns where it wrote.
 */
export async function restoreFromBackup(
  workspace: string,
  exercise: Exercise,
  backup: string,
): Promise<string> {
  const folder = await emptyExerciseFolder(workspace, exercise);
  await cp(join(backup, exercise.id), folder.real, {
    recursive: true,
    verbatimSymlinks: true,
    preserveTimestamps: true,
  });
  return folder.real;
}

async function moveFile(source: string, destination: string): Promise<void> {
  try {
    await rename(source, destination);
  } catch (error) {
    // Another filesystem (a linked exercise folder elsewhere): copy, then remove.
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await cp(source, destination, { preserveTimestamps: true });
    await rm(source);
  }
}
