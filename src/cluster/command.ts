import { access, constants } from "node:fs/promises";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/**
 * Shell builtins and keywords a --cmd may start with: there is no program of that name to
 * find, and the shell always has them (`exit 3` is a command that exits 3, not a typo).
 */
const BUILTINS = new Set([
  ...[".", ":", "[", "source", "exec", "cd", "env", "export", "sh", "bash", "exit", "true"],
  ...["false", "echo", "printf", "test", "set", "unset", "trap", "ulimit", "umask", "wait"],
  ...["read", "eval", "command", "type", "kill", "readonly", "shift", "times", "return"],
  ...["if", "for", "while", "until", "case", "{", "(", "!", "time", "nohup"],
]);

/** cmd.exe's own commands (Windows runs --cmd with `cmd.exe /d /s /c`): no file provides them. */
const WINDOWS_BUILTINS = new Set([
  ...["call", "cd", "chdir", "cls", "copy", "del", "dir", "echo", "erase", "exit", "for", "if"],
  ...["md", "mkdir", "move", "pushd", "popd", "rd", "rem", "ren", "rmdir", "set", "setlocal"],
  ...["start", "title", "type", "ver"],
]);

const WINDOWS = process.platform === "win32";

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
  if (program === undefined) return;
  if (WINDOWS ? WINDOWS_BUILTINS.has(program.toLowerCase()) : BUILTINS.has(program)) return;
  const unquoted = program.replace(/^["']|["']$/g, "");
  // A copy of Windows' environment keeps its own spelling of the name: Path.
  if (await findExecutable(unquoted, env.PATH ?? env.Path ?? "", cwd)) return;
  throw new UsageError(
    `The command "${unquoted}" in --cmd was not found.`,
    unquoted.includes("/")
      ? "Check the path, and that the file is executable."
      : `Install it, or check its spelling; it must be on PATH (or give its full path).`,
  );
}

/**
 * Where `program` is: itself when it is a path (resolved against `cwd`), else the first
 * executable of that name on `path`. Undefined when there is none. On Windows a program is
 * also found with each extension of PATHEXT (`node` is node.exe, `npm` npm.cmd), a path may
 * use backslashes, and PATH is split at ";".
 */
export async function findExecutable(
  program: string,
  path: string,
  cwd: string,
  windows = WINDOWS,
  pathext = process.env.PATHEXT,
): Promise<string | undefined> {
  const isPath = program.includes("/") || (windows && program.includes("\\"));
  const bases =
    isPath || isAbsolute(program)
      ? [resolve(cwd, program)]
      : path
          .split(windows ? ";" : delimiter)
          .filter(Boolean)
          .map((dir) => join(dir, program));
  const extensions = windows
    ? ["", ...(pathext || ".COM;.EXE;.BAT;.CMD").toLowerCase().split(";").filter(Boolean)]
    : [""];
  const candidates = bases.flatMap((base) => extensions.map((ext) => base + ext));
  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
