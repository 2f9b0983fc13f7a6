import { UsageError } from "../errors.js";
import type { Emit } from "../events.js";
import { removeKeysWithPrefix } from "../redis/cleanup.js";
import { findRedis } from "../redis/discover.js";
import { chooseRedisUrl } from "../redis/url.js";
import {
  backupExercises,
  exercisesInBackup,
  latestBackup,
  restoreFromBackup,
  restoreStarter,
} from "../workspace/backup.js";
import { type Exercise, findExercise, listExercises } from "../workspace/catalogue.js";
import { isDirectory } from "../workspace/fs.js";
import { resolveExercise } from "../workspace/progress.js";
import { loadState, saveState, sessionPrefix, workspacePrefix } from "../workspace/state.js";
import { displayPath } from "../workspace/workspace.js";

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
      "Run `session-lab start` first, or point --dir at your workspace.",
    );
  }
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
  const backup = await backUp(options, exercises);
  const state = await loadState(options.dir);
  for (const exercise of exercises) {
    await restoreStarter(options.dir, exercise);
    state.exercises[exercise.id] = {};
    options.emit({ type: "exercise:restored", exercise: exercise.id, from: "the starter" });
  }
  await saveState(options.dir, state);

  const prefix = options.all
    ? workspacePrefix(state)
    : sessionPrefix(state, exercises[0]?.id ?? "");
  const keysRemoved = await cleanRedis(options, chosenRedis, prefix);
  return { changed: true, backup: backup?.dir, restored: exercises.map((e) => e.id), keysRemoved };
}

async function undo(options: ResetOptions): Promise<ResetResult> {
  const newest = await latestBackup(options.dir);
  if (!newest) {
    throw new UsageError(
      "There is no backup to undo.",
      "Backups are made by `session-lab reset` and `solution --apply`.",
    );
  }
  const ids = await exercisesInBackup(newest);
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
  // Undo is undoable too: what is there now goes into a backup of its own.
  const backup = await backUp(options, exercises);
  for (const id of ids) {
    await restoreFromBackup(options.dir, newest, id);
    options.emit({
      type: "exercise:restored",
      exercise: id,
      from: `the backup ${displayPath(newest)}`,
    });
  }
  return { changed: true, backup: backup?.dir, restored: ids };
}

/** Backs up the attendee's files of these exercises, and says where. */
async function backUp(options: ResetOptions, exercises: readonly Exercise[]) {
  const backup = await backupExercises(options.dir, exercises);
  if (backup)
    options.emit({
      type: "backup:created",
      dir: displayPath(backup.dir),
      exercises: backup.exercises,
    });
  return backup;
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

/** Removes the lab's keys under `prefix` from the Redis in reach; says so when there is none. */
async function cleanRedis(
  options: ResetOptions,
  chosen: ReturnType<typeof chooseRedisUrl>,
  prefix: string,
): Promise<number | undefined> {
  const redis = await findRedis({ chosen, env: options.env, startPrivate: false }).catch(
    () => undefined,
  );
  if (!redis) {
    options.emit({ type: "redis:cleaned", removed: undefined, redis: "no Redis in reach", prefix });
    return undefined;
  }
  try {
    const removed = await removeKeysWithPrefix(redis.url, prefix);
    options.emit({ type: "redis:cleaned", removed, redis: redis.label, prefix });
    return removed;
  } finally {
    await redis.close();
  }
}
