import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { processStartTime } from "../processes/process-info.js";
import { labDir } from "./paths.js";

const POLL_MS = 50;

/** Who holds the lock: a pid and when that process started, so a reused pid is not mistaken. */
interface Holder {
  readonly pid: number;
  readonly started?: string;
  /** What it is doing: a reset (or undo), or `solution --apply`. */
  readonly doing?: LockedWork;
}

/** The commands that change a workspace's exercise files, one at a time. */
export type LockedWork = "reset" | "solution --apply";

/** The reset lock of one workspace, held until `release()`. */
export interface WorkspaceLock {
  release(): Promise<void>;
}

export function lockPath(workspace: string): string {
  return join(labDir(workspace), "reset.lock");
}

/**
 * Takes the workspace's reset lock: one reset, undo or `solution --apply` changes a
 * workspace's files at a time.
 * A lock whose process is gone, or whose pid now belongs to another process, is taken over.
 * A live holder is named at once, without waiting: a second reset that ran after the first
 * would back up the fresh starter as the newest backup, and `--undo` would then put back the
 * starter instead of the attendee's work.
 */
export async function lockWorkspace(
  workspace: string,
  doing: LockedWork = "reset",
): Promise<WorkspaceLock> {
  const path = lockPath(workspace);
  await mkdir(labDir(workspace), { recursive: true });
  const mine = `${JSON.stringify({ pid: process.pid, started: await processStartTime(process.pid), doing })}\n`;
  for (;;) {
    if (await create(path, mine)) {
      return { release: () => releaseLock(path, mine) };
    }
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue; // released in between: try again at once
    const holder = parseHolder(text);
    // An unreadable lock is stale once it is old: a fresh one may still be being written (wx).
    const stale = holder ? !(await isAlive(holder)) : await olderThan(path, 2000);
    if (stale) {
      await takeOver(path, text);
      continue;
    }
    if (holder) {
      const other =
        holder.doing === "solution --apply"
          ? "`solution --apply`"
          : doing === "reset"
            ? "Another reset"
            : "A reset";
      throw new UsageError(
        `${other} is running (pid ${holder.pid}) on this workspace, so this one changed nothing.`,
        "Wait for it to finish; run this one again only if you still need it.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Runs `work` holding the workspace's reset lock, and releases it however `work` ends. */
export async function whileLocked<T>(
  workspace: string,
  work: () => Promise<T>,
  doing: LockedWork = "reset",
): Promise<T> {
  const lock = await lockWorkspace(workspace, doing);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/**
 * Creates the lock file with its content in one step (a hard link of a complete file), so no
 * one ever reads it half-written; `wx` where the file system has no hard links.
 */
async function create(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(temp, content);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw error;
    return writeFile(path, content, { flag: "wx" }).then(
      () => true,
      (e: NodeJS.ErrnoException) => {
        if (e.code === "EEXIST") return false;
        throw e;
      },
    );
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Removes a stale lock, and only that one: it is moved aside first and checked, so a lock
 * another process has just taken in its place is put back, not removed.
 */
async function takeOver(path: string, stale: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved or released it: look again
  }
  const moved = await readFile(aside, "utf8").catch(() => stale);
  if (moved !== stale) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}

async function releaseLock(path: string, mine: string): Promise<void> {
  // Never remove a lock that is no longer ours (taken over after this process looked dead).
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === mine) await unlink(path).catch(() => {});
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (!Number.isInteger(parsed.pid) || (parsed.pid as number) <= 0) return undefined;
    return {
      pid: parsed.pid as number,
      ...(typeof parsed.started === "string" ? { started: parsed.started } : {}),
      ...(parsed.doing === "solution --apply" ? { doing: parsed.doing } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Whether the process that took the lock is still running (the same process, not a reuse of its pid). */
async function isAlive(holder: Holder): Promise<boolean> {
  const started = holder.started && (await processStartTime(holder.pid));
  if (started) return started === holder.started;
  // No start time to compare (another platform, or not ours to read): is the pid running?
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
