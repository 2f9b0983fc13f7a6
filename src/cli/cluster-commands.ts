import type { Command } from "commander";
import type { CheckOptions } from "../commands/check.js";
import { LabError, UsageError } from "../errors.js";
import { couldNotRunReport, VERDICT_OUTCOMES } from "../model/check-report.js";
import { parseReporters, writeCiReports } from "./ci-reports.js";
import {
  DEFAULT_PORT,
  parseClusterOptions,
  parseHttpUrl,
  parseLoadOptions,
  parseUiOptions,
  type RawClusterOptions,
} from "./options.js";
import {
  type CliContext,
  EXERCISE_ARGUMENT,
  reporter,
  type SetOutcome,
  withClusterOptions,
} from "./shared.js";

/** `start` and `check`: the commands that run instances. */
export function registerClusterCommands(
  program: Command,
  context: CliContext,
  setOutcome: SetOutcome,
): void {
  withClusterOptions(program.command("start").argument("[exercise]", EXERCISE_ARGUMENT))
    .description("run N instances of the exercise behind a round-robin proxy, until Ctrl-C")
    .option("--quiet", "hide the one-line-per-request trace")
    .option(
      "--upstream-timeout <seconds>",
      "how long the proxy waits for an instance's answer before a 504 (default 30)",
    )
    .option("--no-watch", "do not restart the instances when a file changes")
    .option("--ui", "serve the live page for the projector (on --ui-port)")
    .option("--ui-port <port>", "the live page's port (default: the proxy's port + 99)")
    .option("--json", "print events as JSON lines instead of text")
    .action(
      async (
        exercise: string | undefined,
        raw: RawClusterOptions & {
          quiet?: boolean;
          watch: boolean;
          json?: boolean;
          ui?: boolean;
          uiPort?: string;
        },
      ) => {
        const choice = parseClusterOptions(raw, context.cwd);
        const ui = parseUiOptions(raw, choice.port + 99, choice.port);
        const emit = await reporter(context, raw);
        const interactive = context.stdin.isTTY === true && !raw.json;
        const [{ start }, { keyActions }, { outputGate }] = await Promise.all([
          import("../commands/start.js"),
          import("./keys.js"),
          import("../cluster/output-gate.js"),
        ]);
        // Stopped by q: success; stopped by a signal: main gives the signal's exit code.
        await start({
          ...choice,
          ui,
          exercise,
          watch: raw.watch,
          interactive,
          env: context.env,
          cwd: context.cwd,
          emit,
          signal: context.signal,
          actions: interactive ? keyActions(context.stdin) : undefined,
          output: outputGate(context.stdout),
        });
      },
    );

  withClusterOptions(program.command("check").argument("[exercise]", EXERCISE_ARGUMENT))
    .description("grade the exercise: scripted requests through a proxy, did sessions survive?")
    .option(
      "--url <url>",
      "grade a load-balanced deployment the lab did not start, e.g. http://127.0.0.1:8080",
    )
    .option("--json", "print one JSON document (schema session-lab/check@3) instead of the report")
    .option("--no-board", "do not publish this result to the room you joined")
    .option(
      "--reporter <name...>",
      "also write the result for CI: junit (JUnit XML, see --junit-file) and/or github (job summary and annotations)",
    )
    .option("--junit-file <path>", "where --reporter junit writes (default session-lab-junit.xml)")
    .action(
      async (
        exercise: string | undefined,
        raw: RawClusterOptions & {
          url?: string;
          json?: boolean;
          board: boolean;
          reporter?: string[];
          junitFile?: string;
        },
      ) => {
        try {
          const reporters = parseReporters(raw.reporter);
          const options = { ...(await labOptions(context, exercise, raw)), noBoard: !raw.board };
          const { check } = await import("../commands/check.js");
          const report = await check(options);
          if (raw.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          await writeCiReports(context, report, reporters, raw);
          setOutcome(VERDICT_OUTCOMES[report.verdict]);
        } catch (error) {
          // In --json mode stdout always holds a document, whatever kept the check from running.
          if (raw.json) {
            const reason = error instanceof LabError ? error : { message: String(error) };
            const report = couldNotRunReport(reason, undefined);
            context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          }
          throw error;
        }
      },
    );

  withClusterOptions(program.command("load").argument("[exercise]", EXERCISE_ARGUMENT))
    .description(
      "instructor demo: many users at once through the proxy, sessions lost per instance",
    )
    .option("-c, --users <n>", "simulated users at once, each with its own session (default 50)")
    .option("--duration <seconds>", "how long to run (default 10)")
    .option("--requests <n>", "stop after this many requests instead")
    .option(
      "--url <url>",
      "drive a running start (http://127.0.0.1:5000) or any deployment instead",
    )
    .option("--ui", "serve the live page with charts per instance (on --ui-port)")
    .option("--ui-port <port>", `the live page's port (default ${DEFAULT_PORT + 99})`)
    .option("--json", "print the figures as one JSON document")
    .action(
      async (
        exercise: string | undefined,
        raw: RawClusterOptions & {
          users?: string;
          duration?: string;
          requests?: string;
          url?: string;
          json?: boolean;
          ui?: boolean;
          uiPort?: string;
        },
      ) => {
        const drive = parseLoadOptions(raw);
        const ui = parseUiOptions(raw, DEFAULT_PORT + 99, undefined);
        const options = await labOptions(context, exercise, raw);
        const { load } = await import("../commands/load.js");
        const report = await load({ ...options, ...drive, ui });
        if (raw.json) context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        setOutcome("success");
      },
    );
}

/** The options check and load share, from their command line; JSON mode prints no events. */
async function labOptions(
  context: CliContext,
  exercise: string | undefined,
  raw: RawClusterOptions & { url?: string; json?: boolean },
): Promise<CheckOptions> {
  if (raw.port !== undefined) {
    throw new UsageError(
      "check and load run their own instances on free ports, so --port does not apply to them.",
      `To grade or load a running \`start\`, pass its address: --url http://127.0.0.1:${raw.port}.`,
    );
  }
  const { port: _port, ...choice } = parseClusterOptions(raw, context.cwd);
  const url = raw.url === undefined ? undefined : parseHttpUrl(raw.url);
  const emit = raw.json ? () => {} : await reporter(context, { quiet: true });
  return {
    ...choice,
    exercise,
    url,
    env: context.env,
    cwd: context.cwd,
    emit,
    signal: context.signal,
  };
}
