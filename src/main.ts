import { runCli } from "./cli.js";
import { killAllNow } from "./cluster/registry.js";
import { LabError } from "./errors.js";

/** Exit code after Ctrl-C, once everything is cleaned up (128 + SIGINT). */
const INTERRUPTED = 130;

/**
 * The one place that turns outcomes and errors into an exit code. Signals abort the running
 * command, which cleans up and returns; a second Ctrl-C kills every instance at once.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      killAllNow();
      return;
    }
    received = signal;
    controller.abort();
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  // A bug must not leave instances behind or print a bare stack trace: report it, kill what
  // the lab started, and leave with the could-not-run code.
  const onCrash = (error: unknown) => {
    reportError(error);
    killAllNow();
    process.exit(2);
  };
  process.on("uncaughtException", onCrash);
  process.on("unhandledRejection", onCrash);
  try {
    const { exitCode } = await runCli({
      argv,
      signal: controller.signal,
      env: process.env,
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
    });
    process.exitCode = received === "SIGINT" ? INTERRUPTED : exitCode;
  } catch (error) {
    const code = reportError(error);
    process.exitCode = received === "SIGINT" ? INTERRUPTED : code;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

function reportError(error: unknown): number {
  const debug = /\bsession-lab\b/.test(process.env.DEBUG ?? "");
  if (error instanceof LabError) {
    process.stderr.write(`✘ ${error.message}\n  ${error.hint}\n`);
    if (debug) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `✘ session-lab failed unexpectedly: ${message}\n  Run again with DEBUG=session-lab for details, and report it if it persists.\n`,
  );
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 2;
}
