import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { type CheckOptions, check } from "../../src/commands/check.js";
import { reset } from "../../src/commands/reset.js";
import {
  type StartAction,
  type StartOptions,
  type StartResult,
  start,
} from "../../src/commands/start.js";
import type { LabEvent } from "../../src/events.js";
import { findFreePorts } from "./ports.js";

export const fixtureApp = join(import.meta.dirname, "../fixtures/contract-app.mjs");
/** An Express app with real express-session, its session handling chosen by FIXTURE_* variables. */
export const sessionApp = join(import.meta.dirname, "../fixtures/session-app.mjs");

export async function tempDir(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "session-lab-test-"));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

export interface RunningLab {
  readonly events: LabEvent[];
  readonly proxyUrl: string;
  readonly ports: number[];
  /** Sends an action as a key press would. */
  act(action: StartAction): void;
  /** Resolves with the first event of `type` (matching `where`) seen from now on or before. */
  waitFor<T extends LabEvent["type"]>(
    type: T,
    where?: (e: Extract<LabEvent, { type: T }>) => boolean,
  ): Promise<Extract<LabEvent, { type: T }>>;
  /** Aborts the run (as Ctrl-C does) and resolves once everything is stopped. */
  stop(): Promise<StartResult>;
  readonly done: Promise<StartResult>;
}

/** Runs `start` in this process with real instances, on free ports, and waits until ready. */
export async function runStart(
  overrides: Partial<StartOptions> & { dir: string },
): Promise<RunningLab> {
  const instances = overrides.instances ?? 2;
  const ports = await findFreePorts(instances + 1);
  const events: LabEvent[] = [];
  const waiters = new Set<(e: LabEvent) => void>();
  const controller = new AbortController();
  let listener: ((a: StartAction) => void) | undefined;
  const done = start({
    exercise: undefined,
    instances,
    port: ports[0] as number,
    host: "127.0.0.1",
    cmd: undefined,
    solution: false,
    redisUrl: inject("redisUrl"),
    timeoutMs: 10_000,
    watch: false,
    interactive: false,
    env: process.env,
    cwd: overrides.dir,
    signal: controller.signal,
    actions: (l) => {
      listener = l;
      return () => {
        listener = undefined;
      };
    },
    ...overrides,
    emit: (event) => {
      events.push(event);
      for (const w of waiters) w(event);
    },
  });
  const waitFor: RunningLab["waitFor"] = (type, where) =>
    new Promise((resolve, reject) => {
      const match = (e: LabEvent) => e.type === type && (!where || where(e as never));
      const seen = events.find(match);
      if (seen) return resolve(seen as never);
      const w = (e: LabEvent) => {
        if (match(e)) {
          waiters.delete(w);
          resolve(e as never);
        }
      };
      waiters.add(w);
      done.then(
        () => reject(new Error(`start ended before a ${type} event`)),
        (error) => reject(error),
      );
    });
  const ready = await waitFor("cluster:ready");
  return {
    events,
    proxyUrl: ready.proxyUrl,
    ports,
    act: (a) => listener?.(a),
    waitFor,
    stop: () => {
      controller.abort();
      return done;
    },
    done,
  };
}

/** The options check and load take, for a run in `dir` against the suite's Redis. */
export function labRunOptions(dir: string, overrides: Partial<CheckOptions> = {}): CheckOptions {
  return {
    exercise: undefined,
    instances: 2,
    host: "127.0.0.1",
    dir,
    cmd: undefined,
    solution: false,
    redisUrl: inject("redisUrl"),
    timeoutMs: 10_000,
    url: undefined,
    env: process.env,
    cwd: dir,
    emit: () => {},
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** A check in `dir` against the suite's Redis, with `env` added to the instances', and its events. */
export async function runCheck(
  dir: string,
  overrides: Partial<CheckOptions> = {},
  env: Record<string, string> = {},
) {
  const events: LabEvent[] = [];
  const report = await check(
    labRunOptions(dir, {
      env: { ...process.env, ...env },
      emit: (e) => events.push(e),
      ...overrides,
    }),
  );
  return { report, events };
}

/** `reset --yes` of a workspace against the suite's Redis, with the events it emitted. */
export async function resetWith(dir: string, overrides: Partial<Parameters<typeof reset>[0]> = {}) {
  const events: LabEvent[] = [];
  const result = await reset({
    exercise: undefined,
    all: false,
    undo: false,
    yes: true,
    dir,
    redisUrl: inject("redisUrl"),
    env: process.env,
    emit: (e) => events.push(e),
    confirm: undefined,
    ...overrides,
  });
  return { result, events };
}
