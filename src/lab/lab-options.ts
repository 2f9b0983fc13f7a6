import type { OutputGate } from "../cluster/output-gate.js";
import type { Emit } from "../events.js";

/** What a lab is asked for: the exercise, the instances, the workspace, Redis. */
export interface LabOptions {
  readonly exercise: string | undefined;
  readonly instances: number;
  /**
   * The proxy's port (the instances take the next ones), which must be free: `start`. Without
   * it the lab picks free ports of its own and runs privately and quietly: `check`, `load`.
   */
  readonly port?: number;
  readonly host: string;
  /** Absolute path of the workspace. */
  readonly dir: string;
  readonly cmd: string | undefined;
  readonly solution: boolean;
  readonly redisUrl: string | undefined;
  readonly timeoutMs: number;
  /** How long the proxy waits for an instance's answer before a 504. */
  readonly upstreamTimeoutMs?: number;
  /** A deployment the lab did not start: no instances, no proxy, no private Redis. */
  readonly url?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly emit: Emit;
  /** The lab's output, so the instances' logs are read no faster than it takes them. */
  readonly output?: OutputGate;
  /** Sees every event, also those a private lab does not report (the live page). */
  readonly tap?: Emit;
  /** The Python for the Flask track (--python). */
  readonly python?: string;
  /** Ctrl-C or SIGTERM: set-up stops after the step under way, and undoes what it did. */
  readonly signal?: AbortSignal;
}
