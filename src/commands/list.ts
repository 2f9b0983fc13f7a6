import type { Emit } from "../events.js";
import { readMembership } from "../room/membership.js";
import { exerciseStates, resolveExercise } from "../workspace/progress.js";

export interface ListOptions {
  readonly dir: string;
  readonly emit: Emit;
}

/** The exercises, where the attendee stands on each, and which one is current. */
export async function list(options: ListOptions) {
  const states = await exerciseStates(options.dir);
  const current = await resolveExercise(undefined, options.dir);
  const rows = states.map((s) => ({
    id: s.exercise.id,
    title: s.exercise.title,
    state: s.state,
    checkedAt: s.checkedAt,
    causeId: s.causeId,
    current: s.exercise.id === current.id,
  }));
  const membership = await readMembership(options.dir);
  options.emit({
    type: "exercises",
    rows,
    ...(membership ? { room: { room: membership.room, name: membership.name } } : {}),
  });
  return rows;
}
