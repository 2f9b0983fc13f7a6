import { parseLsofConnections, parseLsofListeners } from "./lsof-parse.js";
import type { Platform, ProcessEntry } from "./platform-api.js";
import { descendantsOf } from "./process-tree.js";
import {
  PS_TABLE_COLUMNS,
  type PsRow,
  parsePsRss,
  parsePsStart,
  parsePsTable,
  pidsWithEnvEntry,
} from "./ps-parse.js";
import { type RunFile, runFile } from "./run-file.js";
import { killUnixTree, loopbackAccepts, signalUnixGroup } from "./unix-signals.js";

const COLUMNS = PS_TABLE_COLUMNS.flatMap((column) => ["-o", column]);

/**
 * The arguments that make ps print each process's environment after its arguments. macOS:
 * `-E`, which shows it for the user's own processes only (root: all). procps and the BSDs:
 * the BSD-style `e` (with `ww`, never cut to the terminal's width).
 */
export function psEnvironmentArgs(os: NodeJS.Platform, pid?: number): string[] {
  const only = pid === undefined ? [] : ["-p", String(pid)];
  return os === "darwin"
    ? [...(pid === undefined ? ["-A"] : []), "-E", "-ww", "-o", "pid=", "-o", "command=", ...only]
    : [pid === undefined ? "axeww" : "eww", "-o", "pid=", "-o", "command=", ...only];
}

/**
 * macOS and the other Unixes: `ps` for processes, `lsof` for sockets (lsof sees the user's own
 * processes, all of them for root). On Linux too when SESSION_LAB_PLATFORM=unix, which is how
 * the test suite runs this implementation for real. `run` is replaceable for tests.
 */
export function createUnixPlatform(
  options: { run?: RunFile; os?: NodeJS.Platform } = {},
): Platform {
  // ps and lsof run with a bare environment: a child carries no marker of the lab's or the
  // test suite's, and prints its dates and numbers the same way everywhere.
  const run: RunFile =
    options.run ??
    ((file, args) =>
      runFile(file, args, { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" }));
  const os = options.os ?? process.platform;

  /** Live processes (no zombies), without the ps that listed them. */
  const table = async (only?: number): Promise<PsRow[]> => {
    const pick = only === undefined ? ["-A"] : ["-p", String(only)];
    const result = await run("ps", [...pick, "-ww", ...COLUMNS]);
    return parsePsTable(result.stdout).filter(
      (row) => row.pid !== result.pid && !row.state.startsWith("Z"),
    );
  };
  const entry = ({ pid, ppid, pgid, command }: PsRow): ProcessEntry => ({
    pid,
    ppid,
    pgid,
    command,
  });
  const descendants = async (roots: readonly number[]) => {
    if (roots.length === 0) return [];
    return descendantsOf(roots, new Map((await table()).map((row) => [row.pid, row.ppid])));
  };
  const describeProcess = async (pid: number) => {
    const row = (await table(pid)).find((r) => r.pid === pid);
    return row && entry(row);
  };
  const listeners = async (args: readonly string[]) =>
    parseLsofListeners((await run("lsof", ["-nP", ...args, "-sTCP:LISTEN", "-F", "pn"])).stdout);

  return {
    name: "unix",
    groups: true,
    seesEnvironment: true,

    async listProcesses() {
      return (await table()).map(entry);
    },
    describeProcess,
    async processesWithEnv(envEntry) {
      const result = await run("ps", psEnvironmentArgs(os));
      const pids = new Set(pidsWithEnvEntry(result.stdout, envEntry));
      pids.delete(process.pid);
      if (result.pid !== undefined) pids.delete(result.pid);
      if (pids.size === 0) return [];
      return (await table()).filter((row) => pids.has(row.pid)).map(entry);
    },
    async hasEnv(pid, envEntry) {
      const result = await run("ps", psEnvironmentArgs(os, pid));
      return pidsWithEnvEntry(result.stdout, envEntry).includes(pid);
    },
    descendants,

    // `lsof -nP -iTCP:<port> -sTCP:LISTEN`: every process holding the listening socket (a
    // server's forked workers share it); the lab's own first, else the lowest pid.
    async portHolder(port, likely = []) {
      const pids = (await listeners([`-iTCP:${port}`])).map((l) => l.pid);
      if (pids.length === 0) return undefined;
      const ours = new Set(await descendants(likely));
      const pid = pids.find((p) => ours.has(p)) ?? Math.min(...pids);
      return describeProcess(pid);
    },
    async isListening(port) {
      return (await listeners([`-iTCP:${port}`])).length > 0 || (await loopbackAccepts(port));
    },
    async listeningPorts(pids) {
      const all = await descendants(pids);
      if (all.length === 0) return [];
      // -a: every condition at once (these pids and TCP), not any of them.
      const found = await listeners(["-a", "-iTCP", "-p", all.join(",")]);
      return [...new Set(found.map((l) => l.port))].sort((a, b) => a - b);
    },
    async connectionsOf(pids) {
      const all = await descendants(pids);
      if (all.length === 0) return [];
      const text = await run("lsof", [
        "-nP",
        "-a",
        "-iTCP",
        "-sTCP:ESTABLISHED",
        "-p",
        all.join(","),
        "-F",
        "pn",
      ]);
      return parseLsofConnections(text.stdout);
    },

    async processStartTime(pid) {
      return parsePsStart(
        (await run("ps", ["-o", "stat=", "-o", "lstart=", "-p", String(pid)])).stdout,
      );
    },
    async groupAlive(pgid) {
      return (await table()).some((row) => row.pgid === pgid);
    },
    signalGroup: signalUnixGroup,
    stopTree: (pid) => killUnixTree(pid, descendants, async (p) => !!(await describeProcess(p))),

    async memoryOf(pid) {
      const residentKb = parsePsRss((await run("ps", ["-o", "rss=", "-p", String(pid)])).stdout);
      return residentKb === undefined ? undefined : { residentKb };
    },
    ephemeralPortRange: async () => undefined,
    holderCommand: (port) => `sudo lsof -nP -iTCP:${port} -sTCP:LISTEN`,
  };
}
