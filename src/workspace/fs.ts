import { access, constants, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/** Whether anything (file, folder, or what a link points to) is at `path`. */
export function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether `path` is a folder (following links). */
export function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/** Whether this process may write into `path`. */
export function isWritable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

/** `path` itself when it exists, else its nearest existing ancestor (where it would be created). */
export async function nearestExisting(path: string): Promise<string> {
  let probe = path;
  while (!(await pathExists(probe))) {
    const parent = dirname(probe);
    if (parent === probe) return probe;
    probe = parent;
  }
  return probe;
}

/** Creates a folder and its missing parents; nothing happens when it is there. */
export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}
