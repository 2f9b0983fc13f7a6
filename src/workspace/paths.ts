import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding session-lab's package.json, from src/ (tests) or dist/ (built). */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`session-lab's package.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The version of session-lab, from its package.json. */
export const labVersion: string = String(
  JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).version,
);

export const exercisesDir = join(packageRoot, "exercises");
export const solutionsDir = join(packageRoot, "solutions");
/** Preloaded into bundled exercises so their imports resolve to this package's dependencies. */
export const registerHook = join(packageRoot, "runtime", "register.mjs");
/** Preloaded into Node instances where Node can flush its compile cache (runtime/compile-cache.mjs). */
export const compileCacheHook = join(packageRoot, "runtime", "compile-cache.mjs");

/** Where the lab keeps its own files inside a workspace. */
export function labDir(workspace: string): string {
  return join(workspace, ".session-lab");
}
