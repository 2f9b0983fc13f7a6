import { Command, CommanderError, Option } from "commander";
import type { Emit } from "./events.js";
import {
  DEFAULT_INSTANCES,
  DEFAULT_PORT,
  DEFAULT_TIMEOUT_S,
  DEFAULT_WORKSPACE,
  parseClusterOptions,
  parseHttpUrl,
  type RawClusterOptions,
} from "./options.js";

export interface CliContext {
  readonly argv: readonly string[];
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** What a command asks main to do when it is done. */
export interface CliOutcome {
  readonly exitCode: number;
}

const VERSION = "0.1.0";

/** Turns argv into typed options and runs one command; commands are imported lazily. */
export async function runCli(context: CliContext): Promise<CliOutcome> {
  let outcome: CliOutcome = { exitCode: 0 };
  const program = new Command("session-lab")
    .description("Run the shared-sessions workshop: N app instances behind a round-robin proxy.")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
    });

  withClusterOptions(
    program.command("start").argument("[exercise]", "exercise id or number (default: the first)"),
  )
    .description("run N instances of the exercise behind a round-robin proxy, until Ctrl-C")
    .option("--quiet", "hide the one-line-per-request trace")
    .option("--no-watch", "do not restart the instances when a file changes")
    .option("--json", "print events as JSON lines instead of text")
    .action(
      async (
        exercise: string | undefined,
        raw: RawClusterOptions & { quiet?: boolean; watch: boolean; json?: boolean },
      ) => {
        const choice = parseClusterOptions(raw, context.cwd);
        const emit = await reporter(context, raw);
        const interactive = context.stdin.isTTY === true && !raw.json;
        const [{ start }, { keyActions }] = await Promise.all([
          import("./commands/start.js"),
          import("./keys.js"),
        ]);
        await start({
          ...choice,
          exercise,
          watch: raw.watch,
          interactive,
          env: context.env,
          cwd: context.cwd,
          emit,
          signal: context.signal,
          actions: interactive ? keyActions(context.stdin) : undefined,
        });
      },
    );

  withClusterOptions(
    program.command("check").argument("[exercise]", "exercise id or number (default: the first)"),
  )
    .description("grade the exercise: scripted requests through a proxy, did sessions survive?")
    .option(
      "--url <url>",
      "grade a load-balanced deployment the lab did not start, e.g. http://127.0.0.1:8080",
    )
    .option("--json", "print one JSON document (schema session-lab/check@1) instead of the report")
    .action(
      async (
        exercise: string | undefined,
        raw: RawClusterOptions & { url?: string; json?: boolean },
      ) => {
        const choice = parseClusterOptions(raw, context.cwd);
        const url = raw.url === undefined ? undefined : parseHttpUrl(raw.url);
        const emit = raw.json ? () => {} : await reporter(context, { quiet: true });
        const { check } = await import("./commands/check.js");
        const report = await check({
          ...choice,
          exercise,
          url,
          env: context.env,
          cwd: context.cwd,
          emit,
          signal: context.signal,
        });
        if (raw.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        outcome = { exitCode: report.exitCode };
      },
    );

  program
    .command("hint")
    .argument("[exercise]", "exercise id or number (default: the first)")
    .description("show the next hint for the exercise (one more each time)")
    .option("--dir <workspace>", `workspace folder (default ./${DEFAULT_WORKSPACE})`)
    .action(async (exercise: string | undefined, raw: { dir?: string }) => {
      const { dir } = parseClusterOptions({ dir: raw.dir }, context.cwd);
      const { hint } = await import("./commands/hint.js");
      await hint({ exercise, dir, emit: await reporter(context, {}) });
    });

  try {
    await program.parseAsync([...context.argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return { exitCode: 0 };
      }
      return { exitCode: 2 };
    }
    throw error;
  }
  return outcome;
}

function withClusterOptions(command: Command): Command {
  return command
    .option("-n, --instances <n>", `how many instances (1-32, default ${DEFAULT_INSTANCES})`)
    .option(
      "-p, --port <port>",
      `the proxy's port; instances use the next ones (default ${DEFAULT_PORT})`,
    )
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option(
      "--dir <workspace>",
      `workspace folder for your copy of the exercises (default ./${DEFAULT_WORKSPACE})`,
    )
    .addOption(
      new Option(
        "--cmd <command>",
        'run any app that honours the contract, e.g. "python3 app.py"',
      ).conflicts("solution"),
    )
    .option("--solution", "run the reference solution instead of your copy")
    .option(
      "--redis-url <url>",
      "Redis for the instances (default: $REDIS_URL, then redis://127.0.0.1:6379)",
    )
    .option(
      "--timeout <seconds>",
      `how long an instance may take to answer HTTP (default ${DEFAULT_TIMEOUT_S})`,
    );
}

async function reporter(
  context: CliContext,
  raw: { quiet?: boolean; json?: boolean },
): Promise<Emit> {
  if (raw.json) {
    const { createJsonLinesReporter } = await import("./report/json.js");
    return createJsonLinesReporter(context.stdout);
  }
  const { createPrettyReporter } = await import("./report/pretty.js");
  return createPrettyReporter({
    out: context.stdout,
    quiet: raw.quiet,
    color: wantsColor(context.env),
  });
}

/** NO_COLOR (no-color.org) turns colours off unless FORCE_COLOR asks for them; else chalk decides. */
export function wantsColor(env: NodeJS.ProcessEnv): boolean | undefined {
  if (env.FORCE_COLOR !== undefined) return undefined;
  if (env.NO_COLOR) return false;
  return undefined;
}
