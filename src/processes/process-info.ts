import { platform } from "./platform.js";

/**
 * When a process started, as an opaque string that differs between two processes that had
 * the same pid: /proc's start time on Linux, `ps -o lstart` on other Unixes, PowerShell's
 * StartTime on Windows. Undefined when no such process is running.
 */
export function processStartTime(pid: number): Promise<string | undefined> {
  return platform().processStartTime(pid);
}

/**
 * Whether any live (not zombie) process of a process group is left (Windows, which has no
 * groups: whether the leader runs).
 */
export function groupAlive(pgid: number): Promise<boolean> {
  return platform().groupAlive(pgid);
}

/** A process's resident memory now and, where the OS keeps it (Linux), at its peak, in KiB. */
export function memoryOf(
  pid: number,
): Promise<{ residentKb: number; peakKb?: number } | undefined> {
  return platform().memoryOf(pid);
}
