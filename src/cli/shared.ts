import { type Command, Option } from "commander";
import type { Emit } from "../events.js";
import type { Outcome } from "../outcome.js";
import {
  DEFAULT_INSTANCES,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT_S,
  DEFAULT_WORKSPACE,
} from "./options.js";

export interface CliContext {
  readonly argv: readonly string[];
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  /** --no-color, given anywhere on the command line: false; else undefined (detected). */
  readonly color?: () => false | undefined;
}

/** Lets a command's action say how it ended; main turns that into the exit code. */
export type SetOutcome = (outcome: Outcome) => void;

export const EXERCISE_ARGUMENT = "exercise id or number (default: the first not yet passed)";

export function withDirOption(command: Command): Command {
  return command.option(
    "--dir <workspace>",
    `your workspace folder (default ./${DEFAULT_WORKSPACE})`,
  );
}

export function withRedisOption(command: Command): Command {
  return command.option(
    "--redis-url <url>",
    "Redis to use (default: $REDIS_URL, then one on 127.0.0.1:6379, then a private redis-server)",
  );
}

/** The options start and check share. */
export function withClusterOptions(command: Command): Command {
  command
    .option("-n, --instances <n>", `how many instances (1-32, default ${DEFAULT_INSTANCES})`)
    .option(
      "-p, --port <port>",
      `the proxy's port; instances use the next ones (default ${DEFAULT_PORT})`,
    )
    .option("--host <host>", "address to bind (default 127.0.0.1)");
  withDirOption(command)
    .addOption(
      new Option(
        "--cmd <command>",
        'run any app that honours the contract, e.g. "python3 app.py"',
      ).conflicts("solution"),
    )
    .option("--solution", "run the reference solution instead of your copy");
  return withRedisOption(command)
    .option(
      "--timeout <seconds>",
      `how long an instance may take to answer HTTP (default ${DEFAULT_TIMEOUT_S})`,
    )
    .option("--python <path>", "the Python for the Flask track (default: the first with Flask)");
}

/** The reporter for a command: JSON lines, or the terminal one (the only chalk user). */
export async function reporter(
  context: CliContext,
  raw: { quiet?: boolean; json?: boolean },
): Promise<Emit> {
  if (raw.json) {
    const { createJsonLinesReporter } = await import("../report/json.js");
    return createJsonLinesReporter(context.stdout);
  }
  const [{ createPrettyReporter }, { supportsUnicode, loadWrapping }] = await Promise.all([
    import("../report/pretty.js"),
    import("../report/terminal.js"),
  ]);
  // Lines are wrapped on a terminal only; elsewhere they go as they are.
  if (context.stdout.isTTY) await loadWrapping();
  return createPrettyReporter({
    out: context.stdout,
    quiet: raw.quiet,
    color: context.color?.() ?? wantsColor(context.env),
    ascii: !supportsUnicode(context.env),
    live: context.env.TERM !== "dumb",
    signal: context.signal,
  });
}

/** NO_COLOR (no-color.org) turns colours off unless FORCE_COLOR asks for them; else chalk decides. */
export function wantsColor(env: NodeJS.ProcessEnv): boolean | undefined {
  if (env.FORCE_COLOR !== undefined) return undefined;
  if (env.NO_COLOR) return false;
  return undefined;
}

/** A yes/no question on the terminal; undefined when there is no terminal to ask on. */
export function terminalConfirm(
  context: CliContext,
): ((question: string) => Promise<boolean>) | undefined {
  if (!context.stdin.isTTY) return undefined;
  return async (question) => {
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: context.stdin, output: context.stdout });
    try {
      const answer = await rl.question(`${question} [y/N] `, { signal: context.signal });
      return /^y(es)?$/i.test(answer.trim());
    } catch {
      return false;
    } finally {
      rl.close();
    }
  };
}
