import { access, constants, lstat, open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { LabError } from "../errors.js";
import type { Exercise } from "./catalogue.js";
import { exerciseFolder } from "./folder.js";
import { displayPath } from "./workspace.js";

/** Something a reset would have to remove and cannot, and why. */
export interface Unremovable {
  readonly path: string;
  readonly reason: string;
}

const REASONS: Record<string, string> = {
  EPERM: "it is immutable or append-only (chattr +i or +a, chflags uchg)",
  EROFS: "it is on a read-only file system",
  EACCES: "it is a folder without write permission, so nothing in it can be removed",
};

/**
 * The first entry under `dir` that could not be removed, found before anything is removed:
 * removing a file needs its folder to be writable and the file not immutable or append-only
 * (which stops root as well). Read-only files in writable folders are fine (`rm -rf` removes
 * them). Links are not followed. Undefined when everything can go.
 */
export async function findUnremovable(dir: string): Promise<Unremovable | undefined> {
  // Windows: access() reports the read-only attribute, which does not stop a removal (Node's
  // rm clears it); what stops one there is a file held open elsewhere, which no check tells.
  if (process.platform === "win32") return undefined;
  const info = await lstat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => error);
  if (!Array.isArray(entries)) return { path: dir, reason: "it cannot be read" };
  if (entries.length > 0) {
    // Its entries are removed from it: it must be writable and searchable.
    const problem = await accessProblem(dir, constants.W_OK | constants.X_OK);
    if (problem) return blocked(dir, problem);
  } else {
    const problem = await accessProblem(dir, constants.W_OK);
    if (isHard(problem)) return blocked(dir, problem);
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findUnremovable(path);
      if (found) return found;
    } else if (entry.isFile()) {
      // Opening for writing (nothing is written) tells an immutable or append-only file
      // (EPERM, even for root) from a merely read-only one (EACCES), which can be removed.
      const problem = await openProblem(path);
      if (isHard(problem)) return blocked(path, problem);
    }
  }
  return undefined;
}

async function accessProblem(path: string, mode: number): Promise<unknown> {
  return access(path, mode).then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function openProblem(path: string): Promise<unknown> {
  try {
    const file = await open(path, "r+");
    await file.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A problem that stops the removal whoever runs it, not only a missing write permission. */
function isHard(problem: unknown): boolean {
  const code = (problem as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPERM" || code === "EROFS";
}

function blocked(path: string, problem: unknown): Unremovable {
  const code = (problem as NodeJS.ErrnoException).code ?? "";
  return { path, reason: REASONS[code] ?? (problem as Error).message };
}

/**
 * Checks, before anything is removed, that every file of these exercises can be removed;
 * else names the first one that cannot, so that a reset never stops half-way through.
 */
export async function assertRemovable(
  workspace: string,
  exercises: readonly Exercise[],
): Promise<void> {
  for (const exercise of exercises) {
    const found = await findUnremovable((await exerciseFolder(workspace, exercise)).real);
    if (!found) continue;
    throw new LabError(
      `${displayPath(found.path)} cannot be removed: ${found.reason}. Reset changed nothing.`,
      "Make it removable (chattr -i, chmod u+w on its folder), or move it out of the exercise folder, then run reset again.",
    );
  }
}
