import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { pathExists } from "./fs.js";
import { labDir } from "./paths.js";

/** Backups kept per workspace; older ones are pruned (and the prune is reported). */
export const MAX_BACKUPS = 10;

export function backupsDir(workspace: string): string {
  return join(labDir(workspace), "backups");
}

/** The complete backups, oldest first (hidden, half-written ones are never among them). */
export async function backupFolders(workspace: string): Promise<string[]> {
  const names = await readdir(backupsDir(workspace)).catch(() => [] as string[]);
  return names
    .filter((n) => /^\d{4}-\d\d-\d\dT/.test(n))
    .sort()
    .map((n) => join(backupsDir(workspace), n));
}

/** Removes the oldest complete backups so that, with `keep`, MAX_BACKUPS are left. */
export async function pruneBackups(workspace: string, keep: string): Promise<number> {
  const folders = (await backupFolders(workspace)).filter((f) => f !== keep);
  const old = folders.slice(0, Math.max(0, folders.length - (MAX_BACKUPS - 1)));
  for (const folder of old) await rm(folder, { recursive: true, force: true });
  return old.length;
}

/** A backup being written: hidden (no timestamp name) and named after its process. */
const PARTIAL = /^\.partial-(\d+)-/;

/** A fresh hidden folder to write a backup into. */
export async function partialBackupDir(workspace: string): Promise<string> {
  await mkdir(backupsDir(workspace), { recursive: true });
  const dir = join(
    backupsDir(workspace),
    `.partial-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  await mkdir(dir);
  return dir;
}

/** Renames a complete backup to its timestamp, the time it was completed: the newest is last. */
export async function publish(workspace: string, partial: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  for (let n = 0; ; n++) {
    const dir = join(backupsDir(workspace), n === 0 ? stamp : `${stamp}-${n}`);
    if (await pathExists(dir)) continue;
    try {
      await rename(partial, dir);
      return dir;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTEMPTY") throw error;
    }
  }
}

/** Hidden backups left by a process that died while writing them: never complete, so removed. */
export async function removeAbandoned(workspace: string): Promise<void> {
  for (const name of await readdir(backupsDir(workspace)).catch(() => [] as string[])) {
    const pid = Number(PARTIAL.exec(name)?.[1]);
    if (!pid || isRunning(pid)) continue;
    await rm(join(backupsDir(workspace), name), { recursive: true, force: true }).catch(() => {});
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
