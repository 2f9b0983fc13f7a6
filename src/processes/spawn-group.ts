import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { type Platform, platform } from "./platform.js";
import { trackGroup, untrackGroup } from "./registry.js";
import { shellInvocation } from "./shell.js";

/** How long the end of a process's output is waited for after it exits (a daemon may hold it). */
const OUTPUT_GRACE_MS = 250;

export interface GroupCommand {
  /** An executable and its arguments, or a shell command line when `shell` is set. */
  readonly file: string;
  readonly args: readonly string[];
  readonly shell?: boolean;
  readonly cwd?: string;
  /** The whole environment of the process (nothing of the lab's is added). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What the lab calls it in reports and run records. */
  readonly description: string;
  /** Whether its output is read (instances) or ignored (a private redis-server). */
  readonly output: boolean;
}

export interface GroupExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the leader left processes of its group running (`nohup … &`, a shell's child). */
  readonly leftRunning: boolean;
}

/** A child process leading a process group of its own, registered until it is gone. */
export interface SpawnedGroup {
  readonly pgid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /**
   * Settles when the leader has exited and its output has ended (or briefly after, when
   * something else holds it). Unless the lab is stopping the group, what the leader left in
   * its group (a shell's child) is killed then.
   */
  readonly exited: Promise<GroupExit>;
  /**
   * SIGTERM to the whole group, SIGKILL when anything of it is still there after `graceMs`;
   * resolves once the group is gone, saying whether it had to be killed.
   */
  stop(graceMs: number): Promise<"stopped" | "killed">;
}

/**
 * Starts a process in its own process group (so a shell or `npm start` is stopped with
 * everything it ran) and registers the group, so that nothing the lab started outlives it:
 * the registry kills it if the lab goes down, and run records find it after a SIGKILL.
 * Windows has no process groups: the process is the root of a tree instead (not detached,
 * which there would open a console window of its own), and its pid stands for the group.
 */
export function spawnGroup(command: GroupCommand, os: Platform = platform()): SpawnedGroup {
  const run = command.shell
    ? shellInvocation(
        [command.file, ...command.args].join(" "),
        os.name === "windows",
        command.env.ComSpec,
      )
    : { file: command.file, args: command.args, windowsVerbatimArguments: false };
  const child = spawn(run.file, [...run.args], {
    cwd: command.cwd,
    env: command.env,
    detached: os.groups,
    windowsHide: true,
    windowsVerbatimArguments: run.windowsVerbatimArguments,
    stdio: ["ignore", command.output ? "pipe" : "ignore", command.output ? "pipe" : "ignore"],
  });
  const pgid = child.pid;
  if (pgid !== undefined) trackGroup(pgid, command.description);
  let stopping = false;
  // The leader's exit wakes the wait for the group to be gone (usually it is the whole group).
  let leaderExited = false;
  const leaderGone = new Promise<void>((resolve) => {
    const done = () => {
      leaderExited = true;
      resolve();
    };
    child.once("exit", done);
    child.once("error", done);
  });
  const leader = {
    get exited() {
      return leaderExited;
    },
    gone: leaderGone,
  };
  const exited = new Promise<GroupExit>((resolve) => {
    child.once("error", () => resolve({ code: null, signal: null, leftRunning: false }));
    child.once("exit", (code, signal) => {
      const leftRunning = pgid !== undefined && !stopping && os.signalGroup(pgid, 0);
      void outputEnded([child.stdout, child.stderr]).then(() =>
        resolve({ code, signal, leftRunning }),
      );
    });
  }).then((exit) => {
    if (pgid !== undefined && !stopping) {
      // The leader is gone; anything it left in its group goes with it.
      os.signalGroup(pgid, "SIGKILL");
      untrackGroup(pgid);
    }
    return exit;
  });
  const stop = async (graceMs: number): Promise<"stopped" | "killed"> => {
    if (pgid === undefined) return "stopped";
    stopping = true;
    let outcome: "stopped" | "killed" = "stopped";
    if (!os.groups) {
      // Windows: no SIGTERM to give a grace period with; the tree ends at once.
      await os.stopTree(pgid);
      await groupGone(os, pgid, KILL_WAIT_MS, leader);
    } else if (os.signalGroup(pgid, "SIGTERM") && !(await groupGone(os, pgid, graceMs, leader))) {
      outcome = "killed";
      os.signalGroup(pgid, "SIGKILL");
      await groupGone(os, pgid, KILL_WAIT_MS, leader);
    }
    untrackGroup(pgid);
    await exited;
    return outcome;
  };
  return { pgid, stdout: child.stdout, stderr: child.stderr, exited, stop };
}

/** How long a SIGKILLed group is waited for before the lab goes on regardless. */
const KILL_WAIT_MS = 2000;

/**
 * Polls until no live process of the group is left; false when `ms` ran out first. Zombies
 * do not count: a shell's child that outlived the shell is re-parented to init, which may
 * take its time to reap it, and a zombie holds no port. While the leader runs the group is
 * alive (no need to look through /proc); its exit (`leader.gone`) ends a pause early, so a
 * group that is just its leader is seen gone at once.
 */
async function groupGone(
  os: Platform,
  pgid: number,
  ms: number,
  leader: { readonly exited: boolean; readonly gone: Promise<void> },
): Promise<boolean> {
  const deadline = Date.now() + ms;
  let delay = 5;
  while (os.signalGroup(pgid, 0) && (!leader.exited || (await os.groupAlive(pgid)))) {
    if (Date.now() >= deadline) return false;
    let timer: NodeJS.Timeout | undefined;
    const pause = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, delay);
    });
    await (leader.exited ? pause : Promise.race([pause, leader.gone]));
    clearTimeout(timer);
    delay = Math.min(delay * 2, 25);
  }
  return true;
}

/** Resolves once both streams ended, or after a short grace when something still holds them. */
function outputEnded(streams: readonly (Readable | null)[]): Promise<void> {
  const open = streams.filter((s): s is Readable => s !== null && !s.readableEnded);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    // Whatever still holds the pipes (a daemon that escaped) must not keep the lab alive.
    const timer = setTimeout(() => {
      for (const s of open) s.destroy();
      resolve();
    }, OUTPUT_GRACE_MS);
    let left = open.length;
    for (const s of open) {
      s.once("close", () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
}
