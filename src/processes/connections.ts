import { platform } from "./platform.js";

export type { TcpConnection } from "./lsof-parse.js";

import type { TcpConnection } from "./lsof-parse.js";

/**
 * Whether the observer may trust connectionsOf to tell whose a connection is, so that one no
 * instance holds is someone else's: /proc on Linux, lsof on other Unixes. Windows' answer
 * (netstat, and PowerShell for the tree) is not relied on yet: it has not run on a real
 * Windows here, and a wrong empty answer would disown every command.
 */
export function canTellConnections(): boolean {
  return platform().name !== "windows";
}

/**
 * The established TCP connections held by these processes and all their descendants: which
 * app instance a Redis client connection belongs to (Redis reports a client by the
 * localAddress:localPort of the app's socket). Linux reads /proc; macOS and other Unixes, or
 * Linux with SESSION_LAB_PLATFORM=unix, ask ps and lsof; Windows netstat. Empty when it
 * cannot be told (no lsof).
 */
export async function connectionsOf(pids: readonly number[]): Promise<TcpConnection[]> {
  if (pids.length === 0) return [];
  const found = await platform().connectionsOf(pids);
  return found.sort((a, b) => a.pid - b.pid || a.localPort - b.localPort);
}
