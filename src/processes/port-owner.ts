import { describeProcess, type MarkedProcess } from "./marker.js";
import { descendants, listPids, socketInodes, tcpTable } from "./proc.js";

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
  const wanted = new Set(
    (await tcpTable())
      .filter((row) => row.state === "LISTEN" && row.local.port === port)
      .map((row) => row.inode),
  );
  if (wanted.size === 0) return undefined;
  const holds = async (pid: number) => {
    for (const inode of await socketInodes(pid)) if (wanted.has(inode)) return true;
    return false;
  };
  for (const pid of await descendants(likely)) if (await holds(pid)) return describeProcess(pid);
  for (const pid of await listPids()) if (await holds(pid)) return describeProcess(pid);
  return undefined;
}

/** The TCP ports the processes (and their descendants) listen on. Linux; elsewhere none. */
export async function listeningPorts(pids: readonly number[]): Promise<number[]> {
  const byInode = new Map(
    (await tcpTable())
      .filter((row) => row.state === "LISTEN" && row.local.port > 0)
      .map((row) => [row.inode, row.local.port] as const),
  );
  const ports = new Set<number>();
  for (const pid of await descendants(pids)) {
    for (const inode of await socketInodes(pid)) {
      const port = byInode.get(inode);
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
