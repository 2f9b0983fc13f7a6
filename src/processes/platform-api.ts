import type { TcpConnection } from "./lsof-parse.js";

export type { TcpConnection } from "./lsof-parse.js";

/**
 * The one interface every look-up into the operating system goes through: which processes
 * run, who listens on a port, which connections a process holds, and stopping what the lab
 * started. Three implementations (platform-linux.ts: /proc; platform-unix.ts: ps and lsof, for
 * macOS and the other Unixes; platform-windows.ts: netstat, tasklist, taskkill, PowerShell),
 * one chosen per machine by platform.ts. Every method is total: a process that ended while it
 * was looked at, or that is not ours to look into, is left out, never an error.
 */
export interface Platform {
  readonly name: PlatformName;
  /**
   * Whether each child starts a process group of its own (Unix), stopped as a group by a
   * signal to it; on Windows there are no groups: a child and what it starts are a tree,
   * ended by `taskkill /T /F`, and there is no SIGTERM (no grace period).
   */
  readonly groups: boolean;
  /**
   * Whether another process's environment can be read, so that processes carrying the run
   * marker are found (Linux: every process of the user; macOS: `ps -E`, the user's own;
   * Windows: no).
   */
  readonly seesEnvironment: boolean;

  /** Every live process (zombies left out). */
  listProcesses(): Promise<ProcessEntry[]>;
  /** One live process; undefined when it is gone or a zombie. */
  describeProcess(pid: number): Promise<ProcessEntry | undefined>;
  /** The live processes (but this one) whose environment holds `entry` ("NAME=value"). */
  processesWithEnv(entry: string): Promise<ProcessEntry[]>;
  /** Whether the process's environment holds `entry`; false when it cannot be read. */
  hasEnv(pid: number, entry: string): Promise<boolean>;
  /** The processes and all their descendants (roots first, at most 256). */
  descendants(roots: readonly number[]): Promise<number[]>;

  /**
   * The process listening on a TCP port (on any address), looked for among `likely` and
   * their descendants first. Undefined when nothing listens or the OS does not tell whose it
   * is (another user's).
   */
  portHolder(port: number, likely?: readonly number[]): Promise<ProcessEntry | undefined>;
  /**
   * Whether this one process (not its descendants) listens on the TCP port. Only where that
   * is a few file reads (Linux); elsewhere undefined, and callers look the long way.
   */
  readonly listensItself?: (pid: number, port: number) => Promise<boolean>;
  /** Whether anything listens on the TCP port, whoever it is. */
  isListening(port: number): Promise<boolean>;
  /** The TCP ports the processes (and their descendants) listen on, in order. */
  listeningPorts(pids: readonly number[]): Promise<number[]>;
  /** The established TCP connections of the processes and their descendants. */
  connectionsOf(pids: readonly number[]): Promise<TcpConnection[]>;

  /**
   * When a process started, as an opaque string: a pid and its start time name one process,
   * even after the pid is reused. Undefined when no such process runs (or a zombie).
   */
  processStartTime(pid: number): Promise<string | undefined>;
  /**
   * Whether anything of a group the lab started (by its leader's pid) is left alive. Windows:
   * whether the leader runs.
   */
  groupAlive(pgid: number): Promise<boolean>;
  /**
   * Signals a whole group the lab started; false when nothing of it is left. Signal 0 only
   * asks. Windows: 0 asks whether the leader runs; any other signal ends the leader's tree at
   * once (`taskkill /pid N /T /F`, blocking, so that it works in the lab's 'exit' hook too).
   */
  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean;
  /**
   * Ends a process and every descendant at once (SIGKILL; Windows: `taskkill /T /F`).
   * "gone" when there was no such process.
   */
  stopTree(pid: number): Promise<"stopped" | "gone" | "failed">;

  /** A process's memory: resident now, and at its peak where the OS keeps that (Linux). */
  memoryOf(pid: number): Promise<MemoryUse | undefined>;
  /** The ports the OS gives to outgoing connections, where it tells (Linux). */
  ephemeralPortRange(): Promise<[number, number] | undefined>;
  /** The command, for a hint, that names a port's holder when only an administrator may see it. */
  holderCommand(port: number): string;
}

export type PlatformName = "linux" | "unix" | "windows";

/** A process as the platform layer reports it. */
export interface ProcessEntry {
  readonly pid: number;
  /** Its parent; 0 where it is not told (Windows' describeProcess). */
  readonly ppid: number;
  /** Its process group; on Windows, which has none, its own pid. */
  readonly pgid: number;
  /** Its command line; on Windows' describeProcess, its image name ("node.exe"). */
  readonly command: string;
}

export interface MemoryUse {
  readonly residentKb: number;
  readonly peakKb?: number;
}
