import { readdir, readFile, readlink } from "node:fs/promises";
import { describeProcess, type MarkedProcess } from "./marker.js";

/**
 * The process listening on a TCP port, found the way `ss -ltnp` finds it: the socket's inode
 * in /proc/net/tcp(6), then the process holding that inode. Undefined when it cannot be told
 * (not Linux, or a process that is not ours to look into).
 */
export async function portOwner(
  port: number,
  /** Processes to look at first (the instance's own), before every process of the machine. */
  likely: readonly number[] = [],
): Promise<MarkedProcess | undefined> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT"; state 0A is LISTEN; the inode is field 10.
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A" && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const holds = async (pid: number) => {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds)
      if (wanted.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ""))) return true;
    return false;
  };
  for (const pid of await withDescendants(likely))
    if (await holds(pid)) return describeProcess(pid);
  for (const name of await readdir("/proc").catch(() => [] as string[])) {
    if (/^\d+$/.test(name) && (await holds(Number(name)))) return describeProcess(Number(name));
  }
  return undefined;
}

/** The processes and all their descendants, from /proc/<pid>/task/<tid>/children. */
async function withDescendants(roots: readonly number[]): Promise<number[]> {
  const out: number[] = [];
  const queue = [...roots];
  while (queue.length > 0 && out.length < 256) {
    const pid = queue.shift() as number;
    out.push(pid);
    for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
      const children = await readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "");
      for (const child of children.split(" ").filter(Boolean)) queue.push(Number(child));
    }
  }
  return out;
}

/** The TCP ports the processes (and their descendants) listen on. Linux; elsewhere none. */
export async function listeningPorts(pids: readonly number[]): Promise<number[]> {
  const byInode = new Map<string, number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(table, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const port = Number.parseInt(fields[1]?.split(":").at(-1) ?? "", 16);
      if (fields[3] === "0A" && fields[9] && port > 0) byInode.set(`socket:[${fields[9]}]`, port);
    }
  }
  const ports = new Set<number>();
  for (const pid of await withDescendants(pids)) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const port = byInode.get(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ""));
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
