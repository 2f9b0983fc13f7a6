import type { Command } from "commander";
import { parseClusterOptions } from "./options.js";
import {
  type CliContext,
  EXERCISE_ARGUMENT,
  reporter,
  type SetOutcome,
  terminalConfirm,
  withDirOption,
  withRedisOption,
} from "./shared.js";

/** The attendee's helpers: hint, reset, solution, list, doctor. */
export function registerWorkspaceCommands(
  program: Command,
  context: CliContext,
  setOutcome: SetOutcome,
): void {
  const dirOf = (raw: { dir?: string; redisUrl?: string }) =>
    parseClusterOptions({ dir: raw.dir, redisUrl: raw.redisUrl }, context.cwd).dir;

  withDirOption(program.command("hint").argument("[exercise]", EXERCISE_ARGUMENT))
    .description("show the next hint for the exercise (one more each time)")
    .action(async (exercise: string | undefined, raw: { dir?: string }) => {
      const { hint } = await import("../commands/hint.js");
      await hint({ exercise, dir: dirOf(raw), emit: await reporter(context, {}) });
    });

  withRedisOption(withDirOption(program.command("reset").argument("[exercise]", EXERCISE_ARGUMENT)))
    .description("back to the starter: backs up your files first, removes the lab's session data")
    .option("--all", "reset every exercise")
    .option("--undo", "put the newest backup back")
    .option("-y, --yes", "do not ask for confirmation")
    .action(
      async (
        exercise: string | undefined,
        raw: { dir?: string; redisUrl?: string; all?: boolean; undo?: boolean; yes?: boolean },
      ) => {
        const { reset } = await import("../commands/reset.js");
        // Answering "n" at the prompt changes nothing, and that is not an error: success.
        await reset({
          exercise,
          all: raw.all === true,
          undo: raw.undo === true,
          yes: raw.yes === true,
          dir: dirOf(raw),
          redisUrl: raw.redisUrl,
          env: context.env,
          emit: await reporter(context, {}),
          confirm: terminalConfirm(context),
        });
      },
    );

  withDirOption(program.command("solution").argument("[exercise]", EXERCISE_ARGUMENT))
    .description("show how the reference solution differs from the starter")
    .option("--apply", "write the solution into your workspace (your files are backed up first)")
    // It asks nothing (the backup is its safety), but takes --yes as reset does.
    .option("-y, --yes", "do not ask for confirmation (--apply asks none: it backs up first)")
    .action(async (exercise: string | undefined, raw: { dir?: string; apply?: boolean }) => {
      const { solution } = await import("../commands/solution.js");
      await solution({
        exercise,
        dir: dirOf(raw),
        apply: raw.apply === true,
        emit: await reporter(context, {}),
      });
    });

  withDirOption(program.command("list"))
    .description("list the exercises and where you stand on each")
    .action(async (raw: { dir?: string }) => {
      const { list } = await import("../commands/list.js");
      await list({ dir: dirOf(raw), emit: await reporter(context, {}) });
    });

  withRedisOption(withDirOption(program.command("doctor")))
    .description("check Node, packages, Redis, ports and the workspace; prints a report to paste")
    .option("-p, --port <port>", "the proxy port to check (default 5000)")
    .option("-n, --instances <n>", "how many instance ports to check (default 2)")
    .action(async (raw: { dir?: string; redisUrl?: string; port?: string; instances?: string }) => {
      const choice = parseClusterOptions(raw, context.cwd);
      const { doctor } = await import("../commands/doctor.js");
      const { ok } = await doctor({
        ...choice,
        env: context.env,
        emit: await reporter(context, {}),
      });
      setOutcome(ok ? "success" : "could-not-run");
    });
}
