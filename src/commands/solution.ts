import type { Emit } from "../events.js";
import { backUpAndTell } from "../workspace/backup.js";
import { exerciseFolder } from "../workspace/folder.js";
import { resolveExercise } from "../workspace/progress.js";
import { whileLocked } from "../workspace/reset-lock.js";
import { applySolution, solutionChanges } from "../workspace/solution.js";
import { assertUsableWorkspace, displayPath } from "../workspace/workspace.js";

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
  options.emit({
    type: "exercise:chosen",
    command: "solution",
    exercise: exercise.id,
    title: exercise.title,
  });
  const changes = await solutionChanges(exercise);
  for (const change of changes) options.emit({ type: "diff", ...change });
  const changed = changes.map((c) => c.file);
  if (!options.apply) return { exercise: exercise.id, changed };

  await assertUsableWorkspace(options.dir, false);
  const folder = await exerciseFolder(options.dir, exercise);
  if (folder.linked)
    options.emit({
      type: "warning",
      message: `${displayPath(folder.path)} is a link to ${folder.real}: the solution is written there, after a backup (the link stays).`,
    });
  // Under the workspace's reset lock: a reset at the same time would back up half of it.
  const backup = await whileLocked(
    options.dir,
    async () => {
      const made = await backUpAndTell(options.dir, [exercise], options.emit);
      await applySolution(options.dir, exercise, changed);
      return made;
    },
    "solution --apply",
  );
  options.emit({
    type: "exercise:restored",
    exercise: exercise.id,
    from: "the reference solution",
    into: folder.linked ? folder.real : undefined,
  });
  return { exercise: exercise.id, changed, backup: backup?.dir };
}
