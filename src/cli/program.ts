import { Command, CommanderError } from "commander";
import type { Outcome } from "../outcome.js";
import { labVersion } from "../workspace/paths.js";
import { registerClusterCommands } from "./cluster-commands.js";
import { registerRoomCommands } from "./room-commands.js";
import type { CliContext } from "./shared.js";
import { registerWorkspaceCommands } from "./workspace-commands.js";

export type { CliContext } from "./shared.js";

/**
 * Turns argv into typed options and runs one command (imported lazily, so `--help` loads
 * neither undici nor ioredis); resolves with how the command ended.
 */
export async function runCli(context: CliContext): Promise<Outcome> {
  let outcome: Outcome = "success";
  const setOutcome = (value: Outcome) => {
    outcome = value;
  };
  const program = new Command("session-lab")
    .description("Run the shared-sessions workshop: N app instances behind a round-robin proxy.")
    .version(labVersion)
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (s) => context.stdout.write(s),
      writeErr: (s) => context.stderr.write(s),
    });
  // Accepted before or after any command, as chalk (and every tool following no-color.org) reads it.
  program.option("--no-color", "print no colours (also NO_COLOR=1)");
  const withColor: CliContext = {
    ...context,
    color: () => (program.opts().color === false ? false : undefined),
  };
  registerClusterCommands(program, withColor, setOutcome);
  registerWorkspaceCommands(program, withColor, setOutcome);
  registerRoomCommands(program, withColor, setOutcome);

  try {
    await program.parseAsync([...context.argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const fine = ["commander.helpDisplayed", "commander.version", "commander.help"];
    return fine.includes(error.code) ? "success" : "could-not-run";
  }
  return outcome;
}
