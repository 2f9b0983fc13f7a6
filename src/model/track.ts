/**
 * The language an exercise's app is written in: its track. The same lesson (01) has a Node
 * track (express-session, connect-redis, ioredis) and a Flask one (Flask-Session, redis-py).
 */
export type Track = "node" | "python";

/** A text naming libraries: one per track, each in the words of that track's libraries. */
export interface TrackText {
  readonly node: string;
  readonly python: string;
}

/** A hint as diagnosis and scenarios give it: the same for every track, or one per track. */
export type Hint = string | TrackText;

/** The hint in the words of the exercise's track; the runner picks it, once, for every result. */
export function hintFor(hint: Hint, track: Track): string {
  return typeof hint === "string" ? hint : hint[track];
}

/** The track of an exercise, from its runtime (node unless it says python). */
export function trackOf(exercise: { readonly runtime?: string }): Track {
  return exercise.runtime === "python" ? "python" : "node";
}
