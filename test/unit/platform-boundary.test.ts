import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Every look-up into the OS goes through the platform layer (src/processes/), so that the lab
 * and its tests run wherever one of its implementations does. Outside it, no file reads
 * /proc, runs ps, lsof, netstat, tasklist, taskkill or wmic, or signals a negative pid (a
 * process group, which Windows does not have).
 */
const ROOT = join(import.meta.dirname, "../..");
const LAYER = `src${sep}processes${sep}`;
const RULES: [string, RegExp][] = [
  ["reads /proc", /["'`]\/proc\/|readdir(Sync)?\(\s*["'`]\/proc["'`]/],
  [
    "runs an OS tool",
    /\b(spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*["'`](ps|lsof|netstat|tasklist|taskkill|wmic)(\.exe)?\b/,
  ],
  ["runs an OS tool through a shell", /["'`](sh|bash) -c ["'`]?(ps|lsof|netstat)\b/],
  ["signals a process group", /process\.kill\(\s*-/],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

describe("the platform layer's boundary", () => {
  const files = ["src", "test", "bench", "scripts"]
    .flatMap((dir) => sources(join(ROOT, dir)))
    .map((path) => relative(ROOT, path))
    .filter((path) => !path.startsWith(LAYER) && path !== relative(ROOT, import.meta.filename));

  it.each(RULES)("nothing outside src/processes/ %s", (_, rule) => {
    const offenders = files.filter((path) => rule.test(readFileSync(join(ROOT, path), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("is checked over the whole tree", () => {
    expect(files.length).toBeGreaterThan(100);
  });
});
