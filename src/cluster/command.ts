import { access, constants } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/** Shell builtins a --cmd may start with; they are always there. */
const BUILTINS = new Set(["exec", "cd", "env", "export", ".", "source", "sh", "bash"]);

/**
 * Checks that the program a --cmd line runs exists (on PATH, or as a path), so a typo is a
 * one-line usage error instead of N instances failing to boot.
 */
export async function assertCommandFound(
  cmd: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<void> {
  const words = cmd.trim().split(/\s+/);
  // Leading VAR=value assignments are not the program.
  const program = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (program === undefined || BUILTINS.has(program)) return;
  const unquoted = program.replace(/^["']|["']$/g, "");
  if (await findExecutable(unquoted, env.PATH ?? "", cwd)) return;
  throw new UsageError(
    `The command "${unquoted}" in --cmd was not found.`,
    unquoted.includes("/")
      ? "Check the path, and that the file is executable."
      : `Install it, or check its spelling; it must be on PATH (or give its full path).`,
  );
}

/**
 * Where `program` is: itself when it is a path (resolved against `cwd`), else the first
 * executable of that name on `path`. Undefined when there is none.
 */
export async function findExecutable(
  program: string,
  path: string,
  cwd: string,
): Promise<string | undefined> {
  const candidates =
    program.includes("/") || isAbsolute(program)
      ? [resolve(cwd, program)]
      : path
          .split(delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
