import { execFile } from "node:child_process";
import {
  descendantsOf,
  parseLsofConnections,
  parsePsParents,
  type TcpConnection,
} from "./lsof-parse.js";
import { descendants, procAvailable, socketInodes, tcpTable } from "./proc.js";

export type { TcpConnection } from "./lsof-parse.js";

/** Whether this machine can tell who holds a connection: /proc on Linux, lsof on other Unixes. */
export function canTellConnections(): boolean {
  return procAvailable() || process.platform !== "win32";
}

/**
 * The established TCP connections held by these processes and all their descendants: which
 * app instance a Redis client connection belongs to (Redis reports a client by the
 * localAddress:localPort of the app's socket). Linux reads /proc; elsewhere, or when
 * SESSION_LAB_PLATFORM=unix asks for it, `ps` and `lsof` tell. Empty when it cannot be
 * told (no lsof).
 */
export async function connectionsOf(pids: readonly number[]): Promise<TcpConnection[]> {
  if (pids.length === 0) return [];
  const found =
    process.env.SESSION_LAB_PLATFORM !== "unix" && procAvailable()
      ? await viaProc(pids)
      : await viaLsof(pids);
  return found.sort((a, b) => a.pid - b.pid || a.localPort - b.localPort);
}

async function viaProc(pids: readonly number[]): Promise<TcpConnection[]> {
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
}

async function viaLsof(pids: readonly number[]): Promise<TcpConnection[]> {
  const all = descendantsOf(
    pids,
    parsePsParents(await run("ps", ["-A", "-o", "pid=", "-o", "ppid="])),
  );
  // -a: every condition at once; -n -P: numbers, no DNS or service names (fast, parseable).
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
  return parseLsofConnections(text);
}

/**
 * A command's output, also when it exits non-zero: lsof exits 1 when it found nothing, or
 * when one of the pids is gone, and still prints what it found. Empty when it cannot run.
 */
function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (_error, stdout) => {
      resolve(typeof stdout === "string" ? stdout : "");
    });
  });
}
