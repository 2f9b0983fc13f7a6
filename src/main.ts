import { runCli } from "./cli/program.js";
import { LabError } from "./errors.js";
import { detectInvocation, setInvocation } from "./invocation.js";
import { OUTCOME_EXIT_CODES, type Outcome } from "./outcome.js";
import { groupAlive } from "./processes/process-info.js";
import { killAllAndWait, killAllNow } from "./processes/registry.js";
import { loadWrapping, supportsUnicode, toAscii, wrapLine } from "./report/terminal.js";

/** 128 + the signal's number: the shell's convention for a command a signal ended. */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/** A command cut short because the reader of its output went away: 128 + SIGPIPE, as git. */
const READER_GONE_EXIT_CODE = 141;

/**
 * How long the cleanup after a signal may take before the lab kills what it started and exits:
 * an instance gets 3 s to stop after SIGTERM, then SIGKILL.
 */
const STOP_DEADLINE_MS = 4500;

/** How a run ended, as main saw it. */
export type Ending =
  | { readonly outcome: Outcome; readonly signal?: NodeJS.Signals }
  | { readonly error: unknown; readonly signal?: NodeJS.Signals };

/**
 * The one place that turns how a command ended into the exit code: a signal wins (after the
 * command cleaned up), then an outcome (0 success, 1 failed, 2 could not run); every error
 * means the lab could not run (2).
 */
export function exitCodeFor(ending: Ending): number {
  if (ending.signal) return SIGNAL_EXIT_CODES[ending.signal] ?? 130;
  if ("outcome" in ending) return OUTCOME_EXIT_CODES[ending.outcome];
  return OUTCOME_EXIT_CODES["could-not-run"];
}

/**
 * Runs the CLI with the process's streams. Signals abort the running command, which cleans
 * up and returns; a second signal kills every process the lab started at once.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  setInvocation(detectInvocation(process.argv[1], process.env));
  // The lab's own lines (say) are wrapped when stderr is a terminal: ready before any is written.
  if (process.stderr.isTTY) await loadWrapping();
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      // A second signal: everything the lab started goes now, and so does the lab.
      const code = exitCodeFor({ outcome: "could-not-run", signal: received });
      void killAllAndWait(1000, groupAlive).finally(() => process.exit(code));
      return;
    }
    received = signal;
    // Aborting first takes a progress line off the screen before this line is written.
    controller.abort();
    // As docker compose does: say what is happening and how to hurry it.
    say(`\nStopping (${signal})… press Ctrl-C again to stop at once.\n`);
    // Whatever the command was waiting for, the lab is gone within a few seconds of the signal.
    setTimeout(() => {
      say(
        `✘ Stopping took longer than ${STOP_DEADLINE_MS / 1000} s; killed everything the lab started.\n`,
      );
      killAllNow();
      process.exit(exitCodeFor({ outcome: "could-not-run", signal }));
    }, STOP_DEADLINE_MS).unref();
  };
  const signals = Object.keys(SIGNAL_EXIT_CODES) as NodeJS.Signals[];
  for (const s of signals) process.on(s, onSignal);
  // A bug must not leave instances behind or print a bare stack trace: report it, kill what
  // the lab started, and leave with the could-not-run code.
  const onCrash = (error: unknown) => {
    reportError(error);
    killAllNow();
    process.exit(exitCodeFor({ error }));
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  // `session-lab … | head`: once the reader is gone (EPIPE), the command stops as it would on
  // a signal, cleaning up, and ends quietly: with its own exit code when it finished anyway
  // (start stops as with q), else 141, the code git's SIGPIPE death shows in a shell.
  let readerGone = false;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") return onCrash(error);
    if (readerGone) return;
    readerGone = true;
    controller.abort();
  };
  process.stdout.on("error", onOutputError);
  process.stderr.on("error", onOutputError);
  try {
    const outcome = await runCli({
      argv,
      signal: controller.signal,
      env: process.env,
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
    });
    process.exitCode = exitCodeFor({ outcome, signal: received });
  } catch (error) {
    if (readerGone && !received) {
      process.exitCode = READER_GONE_EXIT_CODE;
      return;
    }
    reportError(error);
    process.exitCode = exitCodeFor({ error, signal: received });
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

function reportError(error: unknown): void {
  const debug = /\bsession-lab\b/.test(process.env.DEBUG ?? "");
  if (error instanceof LabError) {
    say(`✘ ${error.message}\n  ${error.hint}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return;
  }
  const fsProblem = fileSystemProblem(error);
  if (fsProblem) {
    say(`✘ ${fsProblem}\n  ${FS_HINT}\n`);
    if (debug) process.stderr.write(`${(error as Error).stack}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  say(
    `✘ session-lab failed unexpectedly: ${message}\n  Run again with DEBUG=session-lab for details, and report it if it persists.\n`,
  );
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
}

/** Writes the lab's own lines to stderr as the reporter writes its: wrapped on a terminal, in ASCII without Unicode. */
function say(text: string): void {
  const ascii = supportsUnicode(process.env) ? text : toAscii(text);
  const columns = process.stderr.isTTY ? process.stderr.columns : undefined;
  process.stderr.write(
    columns
      ? ascii
          .split("\n")
          .map((line) => wrapLine(line, columns))
          .join("\n")
      : ascii,
  );
}

const FS_CAUSES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "not permitted",
  EROFS: "the file system is read-only",
  ENOTDIR: "a part of that path is a file, not a folder",
  EISDIR: "it is a folder",
  ENOSPC: "the disk is full",
  EEXIST: "something is already there",
};
const FS_HINT =
  "Check that you can write there (permissions, free space), or pass another workspace with --dir.";

/** A file-system error as one sentence naming the path, or undefined for anything else. */
export function fileSystemProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  const cause = e?.code ? FS_CAUSES[e.code] : undefined;
  if (!cause || !e.path) return undefined;
  return `Could not ${e.syscall === "open" || e.syscall === "stat" ? "use" : "write"} ${e.path}: ${cause}.`;
}
