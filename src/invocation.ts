import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve, sep } from "node:path";

/**
 * How the user runs the lab — `session-lab` when installed on PATH, `npx session-lab` from a
 * project or the npx cache, `node bin/session-lab.js` inside its own repository — so that
 * every message names a command the way this user can type it.
 */
let prefix = "session-lab";

export function detectInvocation(script: string | undefined, env: NodeJS.ProcessEnv): string {
  if (!script) return "session-lab";
  const path = resolve(script);
  const root = dirname(dirname(path));
  // The repository (not the package): its sources are there, next to bin/.
  if (existsSync(join(root, "src", "main.ts")) && existsSync(join(root, "tsconfig.json")))
    return "node bin/session-lab.js";
  // npx (npm exec) puts the package's bin on PATH for the run: it must be typed with npx again.
  if (env.npm_command === "exec" || path.includes(`${sep}_npx${sep}`)) return "npx session-lab";
  const onPath = (env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => resolve(dir) === dirname(path));
  if (onPath) return "session-lab";
  if (path.includes(`${sep}node_modules${sep}`)) return "npx session-lab";
  return "session-lab";
}

export function setInvocation(value: string): void {
  prefix = value;
}

/** A command as this user types it, e.g. typed("hint") -> "npx session-lab hint". */
export function typed(command: string): string {
  return `${prefix} ${command}`;
}
