import type { MarkedProcess } from "./marker.js";
import { platform } from "./platform.js";

/**
 * The process listening on a TCP port (Linux: /proc; macOS and other Unixes: lsof; Windows:
 * netstat), looked for among `likely` (the instance's own) and their descendants first.
 * Undefined when nothing listens, or its holder is not ours to look into (another user's).
 */
export function portOwner(
  port: number,
  likely: readonly number[] = [],
): Promise<MarkedProcess | undefined> {
  return platform().portHolder(port, likely);
}

/** Whether anything listens on the TCP port, whoever holds it. */
export function portListening(port: number): Promise<boolean> {
  return platform().isListening(port);
}

/** The TCP ports the processes (and their descendants) listen on. */
export function listeningPorts(pids: readonly number[]): Promise<number[]> {
  return platform().listeningPorts(pids);
}

/** The command that names a port's holder when only an administrator may see it, for a hint. */
export function holderCommand(port: number): string {
  return platform().holderCommand(port);
}
