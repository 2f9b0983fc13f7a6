import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { labDir } from "./paths.js";

/** Per exercise: how far the hints went, and the last check of the attendee's copy. */
export interface ExerciseProgress {
  hintsShown?: number;
  lastCheck?: { verdict: "pass" | "fail" | "error"; at: string; causeId?: string };
}

/** What the lab remembers about a workspace, in `.session-lab/state.json`. */
export interface WorkspaceState {
  version: 1;
  /** Short random id, part of the Redis key prefix so cleanup only touches this workspace. */
  workspaceId: string;
  /** Cookie-signing secret shared by every instance of this workspace. */
  secret: string;
  exercises: Record<string, ExerciseProgress>;
  /** Where the last `start` of this workspace served the exercise, for the hints. */
  lastUrl?: string;
  /**
   * The exercise the workspace is on, which every command means when none is named: the one
   * its last `start` (or `check`) ran. Only naming another one moves it, never a pass.
   */
  current?: string;
}

function statePath(workspace: string): string {
  return join(labDir(workspace), "state.json");
}

/** Reads the workspace state without creating anything; undefined when there is none yet. */
export async function peekState(workspace: string): Promise<WorkspaceState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(statePath(workspace), "utf8")) as WorkspaceState;
    return parsed.version === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the workspace state, creating it (with a fresh id and secret) on first use. */
export async function loadState(workspace: string): Promise<WorkspaceState> {
  try {
    const parsed = JSON.parse(await readFile(statePath(workspace), "utf8")) as WorkspaceState;
    if (parsed.version === 1 && parsed.secret && parsed.workspaceId) return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError)) {
      throw error;
    }
  }
  const fresh: WorkspaceState = {
    version: 1,
    workspaceId: randomBytes(4).toString("hex"),
    secret: randomBytes(24).toString("base64url"),
    exercises: {},
  };
  await saveState(workspace, fresh);
  return fresh;
}

/** Writes the state atomically, so a crash mid-write never leaves half a file. */
export async function saveState(workspace: string, state: WorkspaceState): Promise<void> {
  await mkdir(labDir(workspace), { recursive: true });
  const target = statePath(workspace);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, target);
}

/** The prefix of every Redis key this workspace's instances and checks create. */
export function workspacePrefix(state: WorkspaceState): string {
  return `session-lab:${state.workspaceId}:`;
}

/** The Redis key prefix the lab hands to every instance of this workspace and exercise. */
export function sessionPrefix(state: WorkspaceState, exerciseId: string): string {
  return `${workspacePrefix(state)}${exerciseId}:`;
}

/** Remembers where a `start` serves the exercise, so that `hint` can name its address. */
export async function rememberUrl(workspace: string, url: string): Promise<void> {
  const state = await loadState(workspace);
  if (state.lastUrl === url) return;
  state.lastUrl = url;
  await saveState(workspace, state);
}

/** Puts the workspace on an exercise: from now on, the one a command means when none is named. */
export async function putWorkspaceOn(workspace: string, exerciseId: string): Promise<void> {
  const state = await loadState(workspace);
  if (state.current === exerciseId) return;
  state.current = exerciseId;
  await saveState(workspace, state);
}

/** Remembers the verdict of the latest check of an exercise, for `list`. */
export async function recordCheck(
  workspace: string,
  exerciseId: string,
  verdict: "pass" | "fail" | "error",
  at: string,
  causeId?: string,
): Promise<void> {
  const state = await loadState(workspace);
  state.exercises[exerciseId] = {
    ...state.exercises[exerciseId],
    lastCheck: { verdict, at, ...(causeId ? { causeId } : {}) },
  };
  await saveState(workspace, state);
}
