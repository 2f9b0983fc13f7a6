import module from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppCommand } from "../cluster/instance.js";
import { requirePython } from "../cluster/python.js";
import type { Emit } from "../events.js";
import { RUN_MARKER } from "../processes/marker.js";
import type { RedisInUse } from "../redis/server.js";
import { DEFAULT_REDIS_URL } from "../redis/url.js";
import type { Exercise } from "../workspace/catalogue.js";
import { ensureDir } from "../workspace/fs.js";
import { linkPackages } from "../workspace/link-packages.js";
import { compileCacheHook, labDir, registerHook } from "../workspace/paths.js";
import { loadState, sessionPrefix } from "../workspace/state.js";
import { displayPath, prepareExercise } from "../workspace/workspace.js";

export interface AppChoice {
  readonly workspace: string;
  readonly exercise: Exercise;
  readonly solution: boolean;
  readonly cmd: string | undefined;
  /** The Redis the instances get; undefined when there is none (they get the default URL). */
  readonly redis: RedisInUse | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  /** Appended to the workspace's session prefix, to keep a throwaway run's keys apart. */
  readonly prefixSuffix?: string;
  /** A check or a load (not start): the exercise's checkEnv applies. */
  readonly graded?: boolean;
  /** The Python for the Flask track (--python). */
  readonly python?: string;
  /** The run marker (see processes/marker.ts) every instance inherits. */
  readonly runId: string;
}

export interface PreparedApp {
  readonly command: AppCommand;
  /** Environment every instance gets: the lab's own plus the contract's variables (the cluster adds the per-instance ports). */
  readonly env: Record<string, string>;
  /** The attendee's exercise folder when running their copy, to watch for changes. */
  readonly watchDir: string | undefined;
}

/**
 * Decides what each instance runs: the attendee's copy of the exercise (copied from the
 * starter on first use), the reference solution, or any command honouring the app contract.
 */
export async function prepareApp(choice: AppChoice): Promise<PreparedApp> {
  const { workspace, exercise, emit, redis } = choice;
  await ensureDir(workspace);
  const state = await loadState(workspace);
  const env: Record<string, string> = {
    ...definedOnly(choice.env),
    REDIS_URL: redis?.url ?? DEFAULT_REDIS_URL,
    ...redis?.env,
    SESSION_SECRET: state.secret,
    SESSION_PREFIX: sessionPrefix(state, exercise.id) + (choice.prefixSuffix ?? ""),
    ...exercise.env,
    ...(choice.graded ? exercise.checkEnv : {}),
    [RUN_MARKER]: choice.runId,
  };
  // Node 22.1+ instances keep their compiled modules between starts (the restart scenario,
  // every save): ignored by older Nodes and other languages. An attendee's own setting stays.
  env.NODE_COMPILE_CACHE ??= join(labDir(workspace), "compile-cache");
  // The Flask track runs with the first Python that has Flask and Flask-Session.
  const python =
    choice.cmd === undefined && exercise.runtime === "python"
      ? await requirePython(choice.python)
      : undefined;
  const run = (entry: string, cwd: string, description: string, hook: boolean): AppCommand =>
    python
      ? {
          file: python,
          args: [entry],
          shell: false,
          cwd,
          description: description.replace(/^node /, `${python} `),
        }
      : nodeCommand(entry, cwd, description, hook);

  let command: AppCommand;
  let watchDir: string | undefined;
  if (choice.cmd !== undefined) {
    command = { file: choice.cmd, args: [], shell: true, cwd: choice.cwd, description: choice.cmd };
    // A Node app run with --cmd resolves the exercise's packages from the lab too.
    env.NODE_OPTIONS =
      `${env.NODE_OPTIONS ?? ""} --import "${pathToFileURL(registerHook).href}"`.trim();
  } else if (choice.solution) {
    const cwd = join(workspace, exercise.id);
    await ensureDir(cwd);
    const entry = join(exercise.solutionDir, exercise.entry);
    // The solution lives inside the package: its imports resolve without help.
    command = run(entry, cwd, `node ${displayPath(entry)} (the reference solution)`, false);
  } else {
    const prepared = await prepareExercise(workspace, exercise, emit);
    const linked = python ? true : await linkPackages(workspace);
    command = run(prepared.entry, prepared.dir, `node ${displayPath(prepared.entry)}`, !linked);
    watchDir = prepared.dir;
  }
  emit({ type: "app:command", description: command.description });
  if (redis) emit({ type: "redis", url: redis.label, source: redis.source });
  return { command, env, watchDir };
}

/**
 * Node writes its compile cache only when a process exits by itself, and instances are stopped
 * with SIGTERM: where Node can flush it (22.10+), a preload does so once the app answers.
 * The instances run on this Node (process.execPath), so this Node tells.
 */
const flushesCompileCache =
  typeof (module as { flushCompileCache?: unknown }).flushCompileCache === "function";

function nodeCommand(entry: string, cwd: string, description: string, hook: boolean): AppCommand {
  // --import takes a URL: an absolute Windows path (C:\...) reads as the scheme "c:".
  const preload = hook ? registerHook : flushesCompileCache ? compileCacheHook : undefined;
  return {
    file: process.execPath,
    args: preload ? ["--import", pathToFileURL(preload).href, entry] : [entry],
    shell: false,
    cwd,
    description,
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
