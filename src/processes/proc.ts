import { existsSync } from "node:fs";
import { open, readdir, readlink } from "node:fs/promises";
import {
  type ProcStat,
  parseStat,
  parseStatusMemory,
  parseTcpTable,
  type TcpRow,
} from "./proc-parse.js";

export type { ProcStat, TcpRow } from "./proc-parse.js";

/**
 * Every read of Linux's /proc goes through here. Each reader is total: a process that ended
 * while it was read, or is not ours to look into, reads as undefined (or empty), never as an
 * error, because the next line of /proc may always describe a process that is gone.
 */

let hasProc: boolean | undefined;

/**
 * A /proc file's text. Its files say their size is 0, so `readFile` reads them into 64 KiB
 * buffers; a scan of every process's environment made ~140 MB of them at N=16 (the lab's
 * peak memory). Read here into 4 KiB, grown only for a file that needs more.
 */
async function readProc(path: string): Promise<string> {
  const file = await open(path, "r");
  try {
    let buffer = Buffer.allocUnsafe(4096);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) return buffer.toString("utf8", 0, length);
      length += bytesRead;
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 4);
        buffer.copy(bigger);
        buffer = bigger;
      }
    }
  } finally {
    await file.close();
  }
}

/** Whether this machine has a Linux /proc to read (platform.ts chooses ps and lsof otherwise). */
export function procAvailable(): boolean {
  hasProc ??= existsSync("/proc/self/stat");
  return hasProc;
}

/** A process's state, parent, group and start time; undefined when it is gone. */
export async function readStat(pid: number): Promise<ProcStat | undefined> {
  return parseStat(await readProc(`/proc/${pid}/stat`).catch(() => ""));
}

/** A process's memory (VmRSS, VmHWM in KiB); undefined when it is gone. */
export async function readMemory(
  pid: number,
): Promise<{ residentKb: number; peakKb?: number } | undefined> {
  return parseStatusMemory(await readProc(`/proc/${pid}/status`).catch(() => ""));
}

/** The pids of every live process (zombies included); empty without /proc. */
export async function listPids(): Promise<number[]> {
  return pidsOf(await readdir("/proc").catch(() => [] as string[]));
}

function pidsOf(names: readonly string[]): number[] {
  return names.filter((name) => /^\d+$/.test(name)).map(Number);
}

/** A process's arguments (program first); undefined when it is gone or not ours to read. */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  try {
    return splitNul(await readProc(`/proc/${pid}/cmdline`));
  } catch {
    return undefined;
  }
}

/** A process's environment as NAME=value entries; undefined when it is not ours to read. */
export async function readEnviron(pid: number): Promise<string[] | undefined> {
  try {
    return splitNul(await readProc(`/proc/${pid}/environ`));
  } catch {
    return undefined;
  }
}

function splitNul(text: string): string[] {
  return text.split("\0").filter(Boolean);
}

/** Every TCP socket of the machine, IPv4 and IPv6 (/proc/net/tcp and tcp6); empty without /proc. */
export async function tcpTable(): Promise<TcpRow[]> {
  const tables = await Promise.all(
    ["/proc/net/tcp", "/proc/net/tcp6"].map((file) => readProc(file).catch(() => "")),
  );
  return tables.flatMap(parseTcpTable);
}

/** The inodes of the sockets a process holds open (/proc/<pid>/fd links "socket:[inode]"). */
export async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** The ports Linux gives to outgoing connections (ip_local_port_range); undefined without /proc. */
export async function ephemeralPortRange(): Promise<[number, number] | undefined> {
  const text = await readProc("/proc/sys/net/ipv4/ip_local_port_range").catch(() => "");
  const [low, high] = text.trim().split(/\s+/).map(Number);
  return low !== undefined && high !== undefined && low > 0 && high >= low
    ? [low, high]
    : undefined;
}

/** At most this many processes are walked: a fork bomb in a workshop app must not stall the lab. */
const MAX_DESCENDANTS = 256;

/**
 * The processes and all their descendants (roots first), from /proc/<pid>/task/<tid>/children:
 * each thread lists the children it forked.
 */
export async function descendants(roots: readonly number[]): Promise<number[]> {
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0 && seen.size < MAX_DESCENDANTS) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      const children = await readProc(`/proc/${pid}/task/${tid}/children`).catch(() => "");
      for (const child of children.split(" ").filter(Boolean)) queue.push(Number(child));
    }
  }
  return [...seen];
}
