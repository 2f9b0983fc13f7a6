import { execFile, spawnSync } from "node:child_process";

/** What a program printed and how it ended; `code` is null when it could not run at all. */
export interface FileResult {
  readonly code: number | null;
  readonly stdout: string;
  /** The program's own pid, so that a process listing can leave it out. */
  readonly pid?: number;
}

/**
 * Runs a program (never through a shell) and collects its output; with `env`, in that
 * environment instead of the lab's.
 */
export type RunFile = (
  file: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
) => Promise<FileResult>;

/** The same, blocking: for the lab's last moments (its 'exit' hook), where nothing awaits. */
export type RunFileSync = (file: string, args: readonly string[]) => FileResult;

/**
 * A program's output, also when it exits non-zero (lsof exits 1 when it found nothing, or
 * when one of the pids is gone, and still prints what it found; taskkill exits 128 for a
 * process that is gone). Never throws: a program that is missing gives code null and "".
 */
export const runFile: RunFile = (file, args, env) =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      { maxBuffer: 16 * 1024 * 1024, windowsHide: true, encoding: "utf8", env },
      (error, stdout) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout: typeof stdout === "string" ? stdout : "", pid: child.pid });
      },
    );
  });

export const runFileSync: RunFileSync = (file, args) => {
  const result = spawnSync(file, [...args], {
    encoding: "utf8",
    windowsHide: true,
    timeout: 5000,
  });
  return { code: result.error ? null : result.status, stdout: result.stdout ?? "" };
};
