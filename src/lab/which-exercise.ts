import type { Emit } from "../events.js";
import { typed } from "../invocation.js";
import type { Exercise } from "../workspace/catalogue.js";
import { shortName } from "../workspace/progress.js";
import { runningStarts } from "../workspace/runs.js";
import { putWorkspaceOn } from "../workspace/state.js";

/**
 * Puts the workspace on the exercise a `start` or a `check` runs, so that every bare command
 * after it means that one. Another exercise than a running `start`'s is said, never done
 * silently: a `start` moves the workspace on anyway (it was asked to), a `check` does not.
 */
export async function settleWorkspaceOn(
  dir: string,
  exercise: Exercise,
  kind: "start" | "private",
  emit: Emit,
): Promise<void> {
  const others = (await runningStarts(dir)).filter((s) => s.exercise !== exercise.id);
  for (const other of others) {
    emit({
      type: "warning",
      message:
        kind === "start"
          ? `Another \`start\` runs ${other.exercise} in this workspace (pid ${other.pid}); this one runs ${exercise.id}, and the workspace moves on to it: bare commands now mean ${exercise.id}.`
          : `A \`start\` runs ${other.exercise} in this workspace (pid ${other.pid}); this check is of ${exercise.id}, as asked, and the workspace stays on ${other.exercise} (\`${typed(`start ${shortName(exercise)}`)}\` moves it).`,
    });
  }
  if (kind === "start" || others.length === 0) await putWorkspaceOn(dir, exercise.id);
}
