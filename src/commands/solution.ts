import { cp, mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { Emit } from "../events.js";
import { backupExercises } from "../workspace/backup.js";
import { unifiedDiff } from "../workspace/diff.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace, displayPath, prepareExercise } from "../workspace/workspace.js";

export interface SolutionOptions {
  readonly exercise: string | undefined;
  readonly dir: string;
  /** Write the reference solution into the workspace (after a backup). */
  readonly apply: boolean;
  readonly emit: Emit;
}

export interface SolutionResult {
  readonly exercise: string;
  /** Files (relative to the exercise) where the solution differs from the starter. */
  readonly changed: readonly string[];
  readonly backup?: string;
}

/** Shows how the reference solution differs from the starter; with apply, puts it in the workspace. */
export async function solution(options: SolutionOptions): Promise<SolutionResult> {
  const exercise = await resolveExercise(options.exercise, options.dir);
  const changed: string[] = [];
  for (const file of await filesIn(exercise.solutionDir)) {
    const starter = await readFile(join(exercise.starterDir, file), "utf8").catch(() => "");
    const solved = await readFile(join(exercise.solutionDir, file), "utf8");
    const lines = unifiedDiff(`starter/${file}`, `solution/${file}`, starter, solved);
    if (lines.length === 0) continue;
    changed.push(file);
    options.emit({ type: "diff", file, lines });
  }
  if (!options.apply) return { exercise: exercise.id, changed };

  await assertUsableWorkspace(options.dir, false);
  const backup = await backupExercises(options.dir, [exercise]);
  if (backup)
    options.emit({
      type: "backup:created",
      dir: displayPath(backup.dir),
      exercises: backup.exercises,
    });
  const prepared = await prepareExercise(options.dir, exercise, () => {});
  for (const file of changed) {
    const target = join(prepared.dir, file);
    await mkdir(dirname(target), { recursive: true });
    await cp(join(exercise.solutionDir, file), target);
  }
  options.emit({
    type: "exercise:restored",
    exercise: exercise.id,
    from: "the reference solution",
  });
  return { exercise: exercise.id, changed, backup: backup?.dir };
}

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
