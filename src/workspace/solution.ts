import { cp, readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { Exercise } from "./catalogue.js";
import { unifiedDiff } from "./diff.js";
import { ensureDir } from "./fs.js";
import { prepareExercise } from "./workspace.js";

/** One file where the reference solution differs from the starter, as a unified diff. */
export interface SolutionChange {
  /** Relative to the exercise folder. */
  readonly file: string;
  readonly lines: readonly string[];
}

/** How the reference solution differs from the starter, file by file. */
export async function solutionChanges(exercise: Exercise): Promise<SolutionChange[]> {
  const changes: SolutionChange[] = [];
  for (const file of await filesIn(exercise.solutionDir)) {
    const starter = await readFile(join(exercise.starterDir, file), "utf8").catch(() => "");
    const solved = await readFile(join(exercise.solutionDir, file), "utf8");
    const lines = unifiedDiff(`starter/${file}`, `solution/${file}`, starter, solved);
    if (lines.length > 0) changes.push({ file, lines });
  }
  return changes;
}

/**
 * Writes the solution's version of `files` into the attendee's copy of the exercise (made
 * from the starter first if there is none). The caller backs the attendee's files up first.
 */
export async function applySolution(
  workspace: string,
  exercise: Exercise,
  files: readonly string[],
): Promise<void> {
  const prepared = await prepareExercise(workspace, exercise, () => {});
  for (const file of files) {
    const target = join(prepared.dir, file);
    await ensureDir(dirname(target));
    await cp(join(exercise.solutionDir, file), target);
  }
}

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
