import type { TcpConnection } from "./lsof-parse.js";
import type { Platform, ProcessEntry } from "./platform-api.js";
import {
  descendants,
  ephemeralPortRange,
  listPids,
  readCmdline,
  readEnviron,
  readMemory,
  readStat,
  socketInodes,
  tcpTable,
} from "./proc.js";
import { killUnixTree, signalUnixGroup } from "./unix-signals.js";

/** The inodes of the sockets listening on a TCP port (any address, IPv4 or IPv6). */
async function listeningInodes(port: number): Promise<Set<string>> {
  return new Set(
    (await tcpTable())
      .filter((row) => row.state === "LISTEN" && row.local.port === port)
      .map((row) => row.inode),
  );
}

/** Whether the process holds one of these sockets open. */
async function holdsAny(pid: number, inodes: ReadonlySet<string>): Promise<boolean> {
  for (const inode of await socketInodes(pid)) if (inodes.has(inode)) return true;
  return false;
}

/** Linux, from /proc (proc.ts): no program is run, every look-up is a few file reads. */
export function createLinuxPlatform(): Platform {
  const describeProcess = async (pid: number): Promise<ProcessEntry | undefined> => {
    const stat = await readStat(pid);
    if (!stat || stat.state === "Z") return undefined;
    const cmdline = await readCmdline(pid);
    if (!cmdline) return undefined;
    return { pid, ppid: stat.ppid, pgid: stat.pgid, command: cmdline.join(" ") || stat.name };
  };
  const live = (entries: (ProcessEntry | undefined)[]) =>
    entries.filter((p): p is ProcessEntry => p !== undefined);

  return {
    name: "linux",
    groups: true,
    seesEnvironment: true,

    async listProcesses() {
      return live(await Promise.all((await listPids()).map(describeProcess)));
    },
    describeProcess,
    async processesWithEnv(entry) {
      const found = await Promise.all(
        (await listPids()).map(async (pid) => {
          if (pid === process.pid) return undefined;
          // Undefined when it is gone, or not ours to read.
          if (!(await readEnviron(pid))?.includes(entry)) return undefined;
          return describeProcess(pid);
        }),
      );
      return live(found);
    },
    async hasEnv(pid, entry) {
      return (await readEnviron(pid))?.includes(entry) ?? false;
    },
    descendants,

    // Found the way `ss -ltnp` finds it: the socket's inode in /proc/net/tcp(6), then the
    // process holding that inode.
    async portHolder(port, likely = []) {
      const wanted = await listeningInodes(port);
      if (wanted.size === 0) return undefined;
      for (const pid of await descendants(likely))
        if (await holdsAny(pid, wanted)) return describeProcess(pid);
      for (const pid of await listPids())
        if (await holdsAny(pid, wanted)) return describeProcess(pid);
      return undefined;
    },
    async listensItself(pid, port) {
      const wanted = await listeningInodes(port);
      return wanted.size > 0 && (await holdsAny(pid, wanted));
    },
    async isListening(port) {
      return (await tcpTable()).some((row) => row.state === "LISTEN" && row.local.port === port);
    },
    async listeningPorts(pids) {
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
    },
    async connectionsOf(pids) {
      const byInode = new Map(
        (await tcpTable())
          .filter((row) => row.state === "ESTABLISHED" && row.inode !== "0")
          .map((row) => [row.inode, row] as const),
      );
      const found: TcpConnection[] = [];
      for (const pid of await descendants(pids)) {
        for (const inode of await socketInodes(pid)) {
          const row = byInode.get(inode);
          if (!row) continue;
          found.push({
            pid,
            localAddress: row.local.address,
            localPort: row.local.port,
            remoteAddress: row.remote.address,
            remotePort: row.remote.port,
          });
        }
      }
      return found;
    },

    async processStartTime(pid) {
      const stat = await readStat(pid);
      return stat && stat.state !== "Z" ? stat.startTime : undefined;
    },
    async groupAlive(pgid) {
      for (const pid of await listPids()) {
        const stat = await readStat(pid);
        if (stat && stat.state !== "Z" && stat.pgid === pgid) return true;
      }
      return false;
    },
    signalGroup: signalUnixGroup,
    stopTree: (pid) => killUnixTree(pid, descendants, async (p) => !!(await describeProcess(p))),

    memoryOf: readMemory,
    ephemeralPortRange,
    holderCommand: (port) => `sudo ss -ltnp 'sport = :${port}'`,
  };
}
