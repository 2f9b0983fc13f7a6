import { execFile } from "node:child_process";
import { listPids, procAvailable, readStat } from "./proc.js";
import { signalGroup } from "./registry.js";

/**
 * When a process started, as an opaque string that differs between two processes that had
 * the same pid: /proc's start time on Linux, `ps -o lstart` elsewhere. Undefined when no
 * such process is running.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  if (procAvailable()) {
    const stat = await readStat(pid);
    return stat && stat.state !== "Z" ? stat.startTime : undefined;
  }
  return new Promise((resolve) => {
    execFile("ps", ["-o", "lstart=", "-p", String(pid)], (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}

/**
 * Whether any live (not zombie) process of a process group is left. On Linux /proc tells;
 * elsewhere a signal 0 to the group does (counting zombies, which their parent reaps soon).
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!procAvailable()) return signalGroup(pgid, 0);
  for (const pid of await listPids()) {
    const stat = await readStat(pid);
    if (stat && stat.state !== "Z" && stat.pgid === pgid) return true;
  }
  return false;
}
