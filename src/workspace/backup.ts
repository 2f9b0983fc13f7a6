import { cp, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Exercise } from "./catalogue.js";
import { isDirectory } from "./fs.js";
import { labDir } from "./paths.js";
import { prepareExercise } from "./workspace.js";

export function backupsDir(workspace: string): string {
  return join(labDir(workspace), "backups");
}

/**
 * Copies the attendee's files of these exercises to `.session-lab/backups/<timestamp>/<id>/`
 * (session folders left out: they are the lab's data). Returns the backup folder, or
 * undefined when none of the exercises has files yet.
 */
export async function backupExercises(
  workspace: string,
  exercises: readonly Exercise[],
): Promise<{ dir: string; exercises: string[] } | undefined> {
  const present = [];
  for (const exercise of exercises) {
    if (await isDirectory(join(workspace, exercise.id))) present.push(exercise);
  }
  if (present.length === 0) return undefined;
  const dir = await freshBackupDir(workspace);
  for (const exercise of present) {
    const from = join(workspace, exercise.id);
    await cp(from, join(dir, exercise.id), {
      recursive: true,
      filter: (source) => !exercise.sessionDirs.some((s) => source === join(from, s)),
    });
  }
  return { dir, exercises: present.map((e) => e.id) };
}

/** The newest backup folder, or undefined when there is none. */
export async function latestBackup(workspace: string): Promise<string | undefined> {
  const names = await readdir(backupsDir(workspace)).catch(() => [] as string[]);
  const newest = names
    .filter((n) => /^\d{4}-\d\d-\d\dT/.test(n))
    .sort()
    .at(-1);
  return newest === undefined ? undefined : join(backupsDir(workspace), newest);
}

/** The exercise ids a backup folder holds. */
export async function exercisesInBackup(backup: string): Promise<string[]> {
  const entries = await readdir(backup, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** Replaces the workspace copy of an exercise with the one in `backup`, byte for byte. */
export async function restoreFromBackup(
  workspace: string,
  backup: string,
  id: string,
): Promise<void> {
  const target = join(workspace, id);
  await rm(target, { recursive: true, force: true });
  await cp(join(backup, id), target, { recursive: true });
}

/** Replaces the workspace copy of an exercise (and its session folders) with the starter. */
export async function restoreStarter(workspace: string, exercise: Exercise): Promise<void> {
  await rm(join(workspace, exercise.id), { recursive: true, force: true });
  await prepareExercise(workspace, exercise, () => {});
}

async function freshBackupDir(workspace: string): Promise<string> {
  await mkdir(backupsDir(workspace), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (let n = 0; ; n++) {
    const dir = join(backupsDir(workspace), n === 0 ? stamp : `${stamp}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
