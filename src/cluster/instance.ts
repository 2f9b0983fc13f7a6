import { diagnoseStartFailure } from "../diagnosis/start-failure.js";
import { AppStartError, DaemonizedAppError } from "../errors.js";
import type { Emit, InstanceRef } from "../events.js";
import { pollUntil } from "../poll.js";
import {
  findEscapedHolder,
  type MarkedProcess,
  RUN_MARKER,
  stopOutsider,
} from "../processes/marker.js";
import { listeningPorts, portOwner } from "../processes/port-owner.js";
import { type SpawnedGroup, spawnGroup } from "../processes/spawn-group.js";
import { forEachLine, LastLines } from "./lines.js";
import type { OutputGate } from "./output-gate.js";
import { answersHttp, waitUntilAnswering } from "./readiness.js";

/** How to run one instance of the app. */
export interface AppCommand {
  /** An executable and its arguments, or a shell command line when `shell` is set. */
  readonly file: string;
  readonly args: readonly string[];
  readonly shell: boolean;
  readonly cwd: string;
  /** What the user sees, e.g. `node app.mjs` or `python3 app.py`. */
  readonly description: string;
}

export interface InstanceOptions {
  readonly ref: InstanceRef;
  readonly command: AppCommand;
  readonly host: string;
  readonly env: Readonly<Record<string, string>>;
  readonly emit: Emit;
  /** When set, logs are read only as fast as the lab's output takes them. */
  readonly output?: OutputGate;
  /** Called when the process ends without the lab having asked it to. */
  readonly onUnexpectedExit?: (ref: InstanceRef) => void;
}

/** How long an instance gets after SIGTERM before its whole group is SIGKILLed. */
export const STOP_GRACE_MS = 3000;

/** One running app process (in its own process group), its log and its lifecycle. */
export class Instance {
  readonly ref: InstanceRef;
  readonly log = new LastLines();
  #child: SpawnedGroup | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping = false;
  #ready = false;

  constructor(private readonly options: InstanceOptions) {
    this.ref = options.ref;
  }

  /** The process group the app runs in (its leader's pid), while it runs. */
  get pid(): number | undefined {
    return this.#child?.pgid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /**
   * Spawns the process and resolves once it answers HTTP; throws AppStartError otherwise.
   * Resolves without it when the signal aborts (nothing is spawned once it has).
   */
  async start(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const { command, env, emit, host, ref } = this.options;
    if (signal?.aborted) return;
    this.log.clear();
    this.#stopping = false;
    this.#ready = false;
    const began = performance.now();
    emit({ type: "instance:starting", instance: ref });
    const child = spawnGroup({ ...command, env, output: true });
    this.#child = child;
    // Every line the app prints wakes the readiness probe: "listening on …" is seen at once.
    let nudge = () => {};
    const nudged = () =>
      new Promise<void>((resolve) => {
        nudge = resolve;
      });
    for (const stream of ["stdout", "stderr"] as const) {
      const source = child[stream];
      if (!source) continue;
      forEachLine(
        source,
        (line) => {
          this.log.push(line);
          emit({ type: "instance:log", instance: ref, stream, line });
          nudge();
        },
        this.options.output,
      );
    }
    const ended = child.exited.then((result) => {
      if (this.#child === child) this.#child = undefined;
      const expected = this.#stopping;
      emit({
        type: "instance:exit",
        instance: ref,
        code: result.code,
        signal: result.signal,
        expected,
        wasReady: this.#ready,
        lastLines: this.log.lines,
      });
      if (!expected && this.#ready) this.options.onUnexpectedExit?.(ref);
      return result;
    });
    this.#exited = ended.then(() => {});

    const ready = await waitUntilAnswering({
      host,
      port: ref.port,
      timeoutMs,
      gaveUp: ended,
      signal,
      nudged,
    });
    if (ready) {
      const escaped = await this.#escapedHolder(child);
      if (escaped) {
        await this.stop();
        await stopOutsider(escaped);
        throw new DaemonizedAppError(ref, escaped, this.log.lines);
      }
      this.#ready = true;
      emit({ type: "instance:ready", instance: ref, ms: Math.round(performance.now() - began) });
      return;
    }
    const stillRunning = this.#child === child;
    // An app that never answered may be listening elsewhere (a fixed port): look, then stop it.
    const listensOn =
      stillRunning && child.pgid !== undefined && !signal?.aborted
        ? await listeningPorts([child.pgid]).catch(() => [])
        : [];
    if (stillRunning) await this.stop();
    if (signal?.aborted) return;
    const result = await ended;
    // The command ended but left the app running in the background, in its group (killed
    // with it just now) or outside it (still answering).
    if (!stillRunning && (result.leftRunning || (await answersSoon(host, ref.port, result.code)))) {
      const holder = await portOwner(ref.port).catch(() => undefined);
      if (holder) await stopOutsider(holder);
      throw new DaemonizedAppError(ref, holder, this.log.lines);
    }
    const { message, hint, causeId } = diagnoseStartFailure({
      instance: ref,
      kind: stillRunning ? "timeout" : "exited",
      code: result.code,
      signal: result.signal,
      timeoutMs,
      lastLines: this.log.lines,
      listensOn,
    });
    throw new AppStartError(message, hint, ref, this.log.lines, causeId);
  }

  /**
   * The process that answers on the instance's port when it is this run's app but outside
   * the group the lab started: the app daemonized (see findEscapedHolder, per platform).
   */
  async #escapedHolder(child: SpawnedGroup): Promise<MarkedProcess | undefined> {
    const runId = this.options.env[RUN_MARKER];
    if (child.pgid === undefined || !runId) return undefined;
    return findEscapedHolder(this.ref.port, child.pgid, runId).catch(() => undefined);
  }

  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves when it is gone. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const child = this.#child;
    if (!child) return this.#exited;
    this.#stopping = true;
    if ((await child.stop(graceMs)) === "killed")
      this.options.emit({ type: "instance:killed", instance: this.ref, graceMs });
    await this.#exited;
  }
}

/** How long a command that exited 0 before answering is given to turn out to be a daemon. */
const DAEMON_GRACE_MS = 2000;

/**
 * Whether the instance's port answers although its command has exited: at once after a
 * crash (nothing should be there), and for a while after a clean exit 0, which is how a
 * command that starts the app in the background ends, before the app listens.
 */
async function answersSoon(host: string, port: number, code: number | null): Promise<boolean> {
  return pollUntil(() => answersHttp(host, port, 500), {
    timeoutMs: code === 0 ? DAEMON_GRACE_MS : 0,
    everyMs: 50,
  });
}
