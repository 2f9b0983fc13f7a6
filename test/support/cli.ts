import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export const binPath = join(import.meta.dirname, "../../bin/session-lab.js");

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Resolves when the output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

/** Runs the built CLI as a user would, without a terminal. */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    /** Another program that runs the CLI (a pseudo-terminal); `args` are then ignored. */
    spawnAs?: [string, string[]];
  },
): CliRun {
  const [file, argv] = options.spawnAs ?? [process.execPath, [binPath, ...args]];
  const env = options.spawnAs
    ? options.env
    : { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...options.env };
  const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    output: string;
  }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal, output })));
  return {
    child,
    output: () => output,
    exited,
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} in output within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        exited.then(() => {
          check();
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`exited without ${pattern} in output:\n${output}`));
          }
        });
        check();
      });
    },
  };
}

/** Quotes one word for the POSIX shell that `script` runs. */
function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the built CLI in a pseudo-terminal (util-linux `script`), `columns` wide, as a user at
 * a terminal would: colour, wrapping and progress lines behave as they do there. Standard
 * input is the terminal's, so nothing is typed.
 */
export function runInTerminal(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; columns?: number },
): CliRun {
  const command = [process.execPath, binPath, ...args].map(shellWord).join(" ");
  const line = `stty cols ${options.columns ?? 100} rows 50; exec ${command}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm-256color", ...options.env };
  for (const name of ["NO_COLOR", "FORCE_COLOR", "CI"]) {
    if (!(options.env && name in options.env)) delete env[name];
  }
  return runCli(["--"], {
    cwd: options.cwd,
    env,
    spawnAs: ["script", ["-qfec", line, "/dev/null"]],
  });
}
