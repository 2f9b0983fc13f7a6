import type { Emit } from "../events.js";
import { commandAbout } from "../lab/next-step.js";
import { nextHint, type ShownHint } from "../workspace/hints.js";
import { resolveExercise } from "../workspace/progress.js";
import { assertUsableWorkspace } from "../workspace/workspace.js";

export interface HintOptions {
  readonly exercise: string | undefined;
  readonly dir: string;
  readonly emit: Emit;
}

/** Shows the exercise's next hint; each call reveals one more, remembered per workspace. */
export async function hint(options: HintOptions): Promise<ShownHint> {
  const exercise = await resolveExercise(options.exercise, options.dir);
  await assertUsableWorkspace(options.dir, false);
  const shown = await nextHint(options.dir, exercise);
  const last = shown.number === shown.total;
  options.emit({
    type: "hint",
    exercise: exercise.id,
    ...shown,
    ...(last ? { solution: await commandAbout(options.dir, exercise, "solution") } : {}),
  });
  return shown;
}
