import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { signalGroup } from "./registry.js";

/**
 * When a process started, as an opaque string that differs between two processes that had
 * the same pid: /proc's start time on Linux, `ps -o lstart` elsewhere. Undefined when no
 * such process is running.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    return fields[19]; // field 22 of stat: starttime
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && process.platform === "linux")
      return undefined;
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
  let names: string[];
  try {
    names = await readdir("/proc");
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && Number(fields[2]) === pgid) return true;
    } catch {
      // Gone while we looked.
    }
  }
  return false;
}
