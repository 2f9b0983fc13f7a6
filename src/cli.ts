import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerClusterCommands } from "./cli/cluster-commands.js";
import type { CliContext } from "./cli/shared.js";
import { registerWorkspaceCommands } from "./cli/workspace-commands.js";

export type { CliContext } from "./cli/shared.js";

/** What a command asks main to do when it is done. */
export interface CliOutcome {
  readonly exitCode: number;
}

/** Turns argv into typed options and runs one command; commands are imported lazily. */
export async function runCli(context: CliContext): Promise<CliOutcome> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command("session-lab")
    .description("Run the shared-sessions workshop: N app instances behind a round-robin proxy.")
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
    });
  registerClusterCommands(program, context, setExitCode);
  registerWorkspaceCommands(program, context, setExitCode);

  try {
    await program.parseAsync([...context.argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const fine = ["commander.helpDisplayed", "commander.version", "commander.help"];
    return { exitCode: fine.includes(error.code) ? 0 : 2 };
  }
  return { exitCode };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}
