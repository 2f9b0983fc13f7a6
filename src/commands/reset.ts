import { join } from "node:path";
import { LabError, UsageError } from "../errors.js";
import type { Emit } from "../events.js";
import { typed } from "../invocation.js";
import { removeKeysWithPrefix } from "../redis/cleanup.js";
import { findRedis } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import {
  type Backup,
  backUpAndTell,
  exercisesInBackup,
  latestBackup,
  restoreFromBackup,
} from "../workspace/backup.js";
import { type Exercise, findExercise, listExercises } from "../workspace/catalogue.js";
import { exerciseFolder, restoreStarter } from "../workspace/folder.js";
import { isDirectory } from "../workspace/fs.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertRemovable } from "../workspace/removable.js";
import { whileLocked } from "../workspace/reset-lock.js";
import { loadState, saveState, sessionPrefix } from "../workspace/state.js";
import { assertUsableWorkspace, displayPath } from "../workspace/workspace.js";

export interface ResetOptions {
  readonly exercise: string | undefined;
  readonly all: boolean;
  readonly undo: boolean;
  readonly yes: boolean;
  readonly dir: string;
  readonly redisUrl: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly emit: Emit;
  /** Asks the user; undefined when there is no terminal to ask on. */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
}

export interface ResetResult {
  readonly changed: boolean;
  readonly backup?: string;
  readonly restored: readonly string[];
  readonly keysRemoved?: number;
}

/**
 * Puts exercises back to their starter (or, with undo, back to the newest backup), always
 * backing up the attendee's files first, and removes the session data the lab created.
 */
export async function reset(options: ResetOptions): Promise<ResetResult> {
  const chosenRedis = chooseRedisUrl(options.redisUrl, options.env);
  if (options.undo && options.all) {
    throw new UsageError(
      "--undo and --all cannot be used together.",
      "Use --undo alone: it restores the newest backup, whatever it holds.",
    );
  }
  if (!(await isDirectory(options.dir))) {
    throw new UsageError(
      `There is no workspace at ${displayPath(options.dir)}, so there is nothing to reset.`,
      `Run \`${typed("start")}\` first, or point --dir at your workspace.`,
    );
  }
  // Names the folder that is not writable, before anything is changed.
  await assertUsableWorkspace(options.dir, true);
  return options.undo ? undo(options) : resetToStarter(options, chosenRedis);
}

async function resetToStarter(
  options: ResetOptions,
  chosenRedis: ReturnType<typeof chooseRedisUrl>,
): Promise<ResetResult> {
  const exercises: Exercise[] = options.all
    ? await listExercises()
    : [await resolveExercise(options.exercise, options.dir)];
  const names = exercises.map((e) => e.id).join(", ");
  if (
    !(await confirmed(
      options,
      `Reset ${names} in ${displayPath(options.dir)} to the starter? Your files are backed up first.`,
    ))
  ) {
    options.emit({ type: "reset:cancelled" });
    return { changed: false, restored: [] };
  }
  // One reset of a workspace's files at a time; Redis is cleaned after, outside the lock.
  const { backup, state } = await whileLocked(options.dir, async () => {
    await warnAboutLinks(options, exercises);
    await assertRemovable(options.dir, exercises);
    // The starter replaces everything, so large files are moved into the backup, not copied.
    const backup = await backUpAndTell(options.dir, exercises, options.emit, { moveLarge: true });
    const state = await loadState(options.dir);
    await afterBackup(backup, async () => {
      for (const exercise of exercises) {
        const folder = await restoreStarter(options.dir, exercise);
        state.exercises[exercise.id] = {};
        options.emit({
          type: "exercise:restored",
          exercise: exercise.id,
          from: "the starter",
          into: folder.linked ? folder.real : undefined,
        });
      }
      await saveState(options.dir, state);
    });
    return { backup, state };
  });

  // Only the session keys of the exercises reset, exactly as documented: never all of the
  // workspace's keys.
  const prefixes = exercises.map((e) => sessionPrefix(state, e.id));
  const keysRemoved = await cleanRedis(options, chosenRedis, prefixes);
  return { changed: true, backup: backup?.dir, restored: exercises.map((e) => e.id), keysRemoved };
}

async function undo(options: ResetOptions): Promise<ResetResult> {
  const newest = await latestBackup(options.dir);
  if (!newest) {
    throw new UsageError(
      "There is no backup to undo.",
      `Backups are made by \`${typed("reset")}\` and \`${typed("solution --apply")}\`.`,
    );
  }
  const ids = await exercisesInBackup(newest);
  if (ids.length === 0) {
    throw new UsageError(
      `The newest backup, ${displayPath(newest)}, holds no exercise files, so there is nothing to put back.`,
      `Look in the older backups next to it, or run \`${typed("reset")}\` to start from the starter.`,
    );
  }
  if (
    !(await confirmed(
      options,
      `Put back ${ids.join(", ")} from the backup ${displayPath(newest)}? Your current files are backed up first.`,
    ))
  ) {
    options.emit({ type: "reset:cancelled" });
    return { changed: false, restored: [] };
  }
  const exercises = await Promise.all(ids.map((id) => findExercise(id)));
  return whileLocked(options.dir, async () => {
    if ((await latestBackup(options.dir)) !== newest) {
      throw new LabError(
        "Another reset made a newer backup while you were answering, so this undo changed nothing.",
        `Run \`${typed("reset --undo")}\` again to see what it would put back.`,
      );
    }
    await warnAboutLinks(options, exercises);
    await assertRemovable(options.dir, exercises);
    // Undo is undoable too: what is there now goes into a backup of its own.
    const backup = await backUpAndTell(options.dir, exercises, options.emit, { moveLarge: true });
    await afterBackup(backup, async () => {
      for (const exercise of exercises) {
        const into = await restoreFromBackup(options.dir, exercise, newest);
        options.emit({
          type: "exercise:restored",
          exercise: exercise.id,
          from: `the backup ${displayPath(newest)}`,
          into: into === join(options.dir, exercise.id) ? undefined : into,
        });
      }
    });
    return { changed: true, backup: backup?.dir, restored: ids };
  });
}

/**
 * Runs what replaces the attendee's files once they are backed up: should it fail half-way,
 * the error says where the files are and how to put them back.
 */
async function afterBackup(backup: Backup | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!backup || error instanceof LabError) throw error;
    throw new LabError(
      `Reset stopped half-way (${(error as Error).message}).`,
      `Your files are all in the backup ${backup.dir}: \`${typed("reset --undo")}\` puts them back.`,
      { cause: error },
    );
  }
}

/** An exercise folder that is a link is written through: say so before anything changes. */
async function warnAboutLinks(options: ResetOptions, exercises: readonly Exercise[]) {
  for (const exercise of exercises) {
    const folder = await exerciseFolder(options.dir, exercise);
    if (!folder.linked) continue;
    options.emit({
      type: "warning",
      message: `${displayPath(folder.path)} is a link to ${folder.real}: the files there are backed up, then replaced (the link stays).`,
    });
  }
}

async function confirmed(options: ResetOptions, question: string): Promise<boolean> {
  if (options.yes) return true;
  if (!options.confirm) {
    throw new UsageError(
      "reset replaces your files and needs a yes, but there is no terminal to ask on.",
      "Run it again with --yes (your files are still backed up first).",
    );
  }
  return options.confirm(question);
}

/** Removes the lab's keys under `prefixes` from the Redis in reach; says so when there is none. */
async function cleanRedis(
  options: ResetOptions,
  chosen: ReturnType<typeof chooseRedisUrl>,
  prefixes: readonly string[],
): Promise<number | undefined> {
  const prefix = prefixes.join(", ");
  const redis = await findRedis({ chosen, env: options.env, startPrivate: false }).catch(
    () => undefined,
  );
  if (!redis) {
    options.emit({ type: "redis:cleaned", removed: undefined, redis: "no Redis in reach", prefix });
    return undefined;
  }
  try {
    let removed = 0;
    for (const p of prefixes) removed += await removeKeysWithPrefix(redis.url, p);
    options.emit({ type: "redis:cleaned", removed, redis: redis.label, prefix });
    return removed;
  } finally {
    await redis.close();
  }
}
