import type { TcpConnection } from "./lsof-parse.js";
import { unmapIpv4 } from "./lsof-parse.js";
import type { Platform, ProcessEntry } from "./platform-api.js";
import { descendantsOf } from "./process-tree.js";
import { type RunFile, type RunFileSync, runFile, runFileSync } from "./run-file.js";
import { signalProcess } from "./unix-signals.js";
import {
  type NetstatRow,
  parseCimProcesses,
  parseNetstat,
  parseTasklist,
  parseWindowsStartTime,
  taskkillOutcome,
} from "./windows-parse.js";

/** PowerShell, for what no other tool of every Windows tells (wmic is gone from Windows 11). */
const POWERSHELL = ["-NoProfile", "-NonInteractive", "-Command"];
const CIM_PROCESSES =
  "Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name,CommandLine | ConvertTo-Csv -NoTypeInformation";

/** The exact arguments of the tree kill: the pid, its whole tree (/T), forcefully (/F). */
export function taskkillArgs(pid: number): string[] {
  return ["/pid", String(pid), "/T", "/F"];
}

/**
 * Windows: `netstat -ano` for sockets (read by column, so any language's netstat will do),
 * `tasklist` to name a process, `taskkill /T /F` to stop a tree, and PowerShell's
 * Get-CimInstance for parents and command lines (never wmic). Every program is run by
 * execFile, without a shell. Windows has no process groups and no SIGTERM: a child of the lab
 * is the root of a tree, stopped at once by taskkill; no other process's environment can be
 * read, so the run marker finds nothing here (a daemonized app is still caught: it holds the
 * instance's port from outside the instance's tree). `run` and `runSync` are replaceable for
 * tests, which drive this implementation with recorded outputs.
 */
export function createWindowsPlatform(
  options: { run?: RunFile; runSync?: RunFileSync } = {},
): Platform {
  const run = options.run ?? runFile;
  const runSync = options.runSync ?? runFileSync;

  const netstat = async (): Promise<NetstatRow[]> =>
    parseNetstat((await run("netstat", ["-ano"])).stdout);
  const processes = async () =>
    parseCimProcesses((await run("powershell.exe", [...POWERSHELL, CIM_PROCESSES])).stdout);
  const descendants = async (roots: readonly number[]) => {
    if (roots.length === 0) return [];
    return descendantsOf(roots, new Map((await processes()).map((p) => [p.pid, p.ppid])));
  };
  const tasklist = async (pid: number) =>
    parseTasklist(
      (await run("tasklist", ["/fi", `PID eq ${pid}`, "/fo", "csv", "/nh"])).stdout,
    ).find((row) => row.pid === pid);
  const describeProcess = async (pid: number): Promise<ProcessEntry | undefined> => {
    const row = await tasklist(pid);
    return row && { pid, ppid: 0, pgid: pid, command: row.name };
  };
  const alive = (pid: number) => signalProcess(pid, 0);

  return {
    name: "windows",
    groups: false,
    seesEnvironment: false,

    async listProcesses() {
      return (await processes()).map(({ pid, ppid, command }) => ({
        pid,
        ppid,
        pgid: pid,
        command,
      }));
    },
    describeProcess,
    processesWithEnv: async () => [],
    hasEnv: async () => false,
    descendants,

    async portHolder(port, likely = []) {
      const pids = [
        ...new Set(
          (await netstat())
            .filter((row) => row.listening && row.local.port === port && row.pid > 0)
            .map((row) => row.pid),
        ),
      ];
      if (pids.length === 0) return undefined;
      const ours =
        pids.length > 1 && likely.length > 0 ? new Set(await descendants(likely)) : new Set();
      const pid = pids.find((p) => ours.has(p)) ?? Math.min(...pids);
      return describeProcess(pid);
    },
    async isListening(port) {
      return (await netstat()).some((row) => row.listening && row.local.port === port);
    },
    async listeningPorts(pids) {
      const all = new Set(await descendants(pids));
      const ports = (await netstat())
        .filter((row) => row.listening && all.has(row.pid))
        .map((row) => row.local.port);
      return [...new Set(ports)].sort((a, b) => a - b);
    },
    async connectionsOf(pids) {
      const all = new Set(await descendants(pids));
      if (all.size === 0) return [];
      // Established, read without the state word: a peer with a port, a process holding it.
      return (await netstat())
        .filter((row) => !row.listening && row.pid > 0 && all.has(row.pid))
        .map(
          (row): TcpConnection => ({
            pid: row.pid,
            localAddress: unmapIpv4(row.local.address),
            localPort: row.local.port,
            remoteAddress: unmapIpv4(row.remote.address),
            remotePort: row.remote.port,
          }),
        );
    },

    async processStartTime(pid) {
      const script = `(Get-Process -Id ${pid} -ErrorAction SilentlyContinue).StartTime.ToFileTimeUtc()`;
      return parseWindowsStartTime((await run("powershell.exe", [...POWERSHELL, script])).stdout);
    },
    groupAlive: async (pgid) => alive(pgid),
    signalGroup(pgid, signal) {
      if (!alive(pgid)) return false;
      if (signal === 0) return true;
      return taskkillOutcome(runSync("taskkill", taskkillArgs(pgid)).code) === "stopped";
    },
    async stopTree(pid) {
      return taskkillOutcome((await run("taskkill", taskkillArgs(pid))).code);
    },

    async memoryOf(pid) {
      const residentKb = (await tasklist(pid))?.memoryKb;
      return residentKb === undefined ? undefined : { residentKb };
    },
    ephemeralPortRange: async () => undefined,
    holderCommand: (port) => `netstat -ano | findstr :${port}`,
  };
}
