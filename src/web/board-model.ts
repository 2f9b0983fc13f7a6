import type { RoomEvent, RoomVerdict } from "../model/room-event.js";
import { decodeRecords, type ExerciseRecords, withCheck } from "./board-exercises.js";

/** What the board knows of one attendee, from the events it has seen. */
export interface AttendeeState {
  /** The name shown: the first one the attendee gave, made unique in the room. */
  readonly name: string;
  readonly checks: number;
  readonly firstCheckAt?: string;
  readonly firstPassAt?: string;
  readonly lastAt: string;
  readonly exercise?: string;
  readonly verdict?: RoomVerdict;
  readonly causeId?: string;
  readonly cause?: string;
  /** The same failing cause on this many checks in a row (0 after a pass). */
  readonly streak: number;
  /** Each exercise checked: first pass, checks before it, last cause (for the CSV). */
  readonly exercises?: ExerciseRecords;
}

/** The room as the board sees it: a function of the events, in order. */
export interface BoardState {
  /** By attendee id (never shown): each attendee's inbox is theirs alone. */
  readonly attendees: ReadonlyMap<string, AttendeeState>;
  /** Entries of the room that were not events of ours, or were malformed. */
  readonly skipped: number;
  /** Entries larger than the room takes, skipped unread. */
  readonly oversized: number;
  /** Attendees who rang while the room was full. */
  readonly refused: number;
  /** How many attendees pass now. */
  readonly passing: number;
  /** How many attendees pass, each time that changed (the latest TIMELINE_POINTS). */
  readonly timeline: readonly { readonly at: string; readonly passing: number }[];
}

const TIMELINE_POINTS = 2000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A board state to fold events into. Folding updates it in place, so each event costs the same
 * however many attendees the room has (a copy per event made 20,000 events take minutes).
 */
export interface Board extends BoardState {
  readonly attendees: Map<string, AttendeeState>;
  /** Shown name -> attendee id, so that no one is shown under another's name. */
  readonly names: Map<string, string>;
  skipped: number;
  oversized: number;
  refused: number;
  passing: number;
  readonly timeline: { readonly at: string; readonly passing: number }[];
}

export function emptyBoard(): Board {
  return {
    attendees: new Map(),
    names: new Map(),
    skipped: 0,
    oversized: 0,
    refused: 0,
    passing: 0,
    timeline: [],
  };
}

/**
 * One more entry of an attendee's inbox: an event, or undefined for one that was skipped.
 * Updates the board in place and returns the attendee's new state (undefined when skipped).
 * `attendee` is who sent it (their inbox); tests may leave it out, and it is then the name.
 */
export function applyEvent(
  board: Board,
  event: RoomEvent | undefined,
  attendee: string = event?.name ?? "",
): AttendeeState | undefined {
  if (!event) {
    board.skipped++;
    return undefined;
  }
  const before = board.attendees.get(attendee);
  const name = before?.name ?? claimName(board, attendee, event.name);
  if (event.type === "joined") {
    if (before) return before;
    const joined: AttendeeState = { name, checks: 0, lastAt: event.at, streak: 0 };
    board.attendees.set(attendee, joined);
    return joined;
  }
  const failing = event.verdict !== "pass";
  const sameCause = failing && before?.verdict !== "pass" && before?.causeId === event.causeId;
  const after: Mutable<AttendeeState> = {
    name,
    checks: (before?.checks ?? 0) + 1,
    firstCheckAt: before?.firstCheckAt ?? event.at,
    lastAt: event.at,
    exercise: event.exercise,
    verdict: event.verdict,
    streak: failing ? (sameCause ? (before?.streak ?? 0) + 1 : 1) : 0,
    exercises: withCheck(before?.exercises, event),
  };
  const firstPassAt = before?.firstPassAt ?? (event.verdict === "pass" ? event.at : undefined);
  if (firstPassAt) after.firstPassAt = firstPassAt;
  if (event.causeId) after.causeId = event.causeId;
  if (event.cause) after.cause = event.cause;
  setAttendee(board, attendee, after);
  if (board.timeline.at(-1)?.passing !== board.passing) {
    board.timeline.push({ at: event.at, passing: board.passing });
    if (board.timeline.length > TIMELINE_POINTS * 1.25)
      board.timeline.splice(0, board.timeline.length - TIMELINE_POINTS);
  }
  return after;
}

/** Puts back an attendee the board saved (a restarted board). */
export function restoreAttendee(board: Board, attendee: string, state: AttendeeState): void {
  if (board.names.has(state.name) && board.names.get(state.name) !== attendee) return;
  board.names.set(state.name, attendee);
  setAttendee(board, attendee, state);
}

function setAttendee(board: Board, attendee: string, state: AttendeeState): void {
  const before = board.attendees.get(attendee);
  board.passing += Number(state.verdict === "pass") - Number(before?.verdict === "pass");
  board.attendees.set(attendee, state);
}

/** The name an attendee is shown under: theirs, or theirs with a number when it is taken. */
function claimName(board: Board, attendee: string, wanted: string): string {
  let name = wanted;
  for (let n = 2; board.names.has(name) && board.names.get(name) !== attendee; n++)
    name = `${wanted} (${n})`;
  board.names.set(name, attendee);
  return name;
}

/** An attendee's state as the board saves it in the room, and back (total: skipped when odd). */
export function encodeAttendee(state: AttendeeState): string {
  return JSON.stringify(state);
}

export function decodeAttendee(json: string): AttendeeState | undefined {
  try {
    const raw = JSON.parse(json) as Partial<Record<keyof AttendeeState, unknown>> | null;
    if (!raw || typeof raw.name !== "string" || typeof raw.lastAt !== "string") return undefined;
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    const verdict = raw.verdict;
    const state: Mutable<AttendeeState> = {
      name: raw.name,
      checks: typeof raw.checks === "number" ? raw.checks : 0,
      lastAt: raw.lastAt,
      streak: typeof raw.streak === "number" ? raw.streak : 0,
    };
    for (const key of ["firstCheckAt", "firstPassAt", "exercise", "causeId", "cause"] as const) {
      const value = text(raw[key]);
      if (value) state[key] = value;
    }
    if (verdict === "pass" || verdict === "fail" || verdict === "error") state.verdict = verdict;
    const exercises = decodeRecords(raw.exercises);
    if (exercises) state.exercises = exercises;
    return state;
  } catch {
    return undefined;
  }
}

export interface StuckRules {
  /** The same failing cause on this many checks in a row. */
  readonly sameCause: number;
  /** No pass this many minutes after the first check. */
  readonly minutes: number;
}

export const DEFAULT_STUCK: StuckRules = { sameCause: 3, minutes: 10 };

export interface TileView {
  readonly name: string;
  readonly exercise: string;
  readonly verdict: RoomVerdict | "none";
  /** ✔ ✘ ⚠ or ·: never colour alone. */
  readonly mark: string;
  readonly label: string;
  readonly cause: string;
  readonly causeId: string;
  readonly lastAt: string;
  readonly checks: number;
  readonly stuck: string | undefined;
}

/** What the page shows: tiles (stuck first), causes to explain, the stuck, passes over time. */
export interface BoardView {
  readonly room: string;
  readonly tiles: readonly TileView[];
  readonly causes: readonly { readonly causeId: string; readonly count: number }[];
  readonly stuck: readonly { readonly name: string; readonly reason: string }[];
  readonly passing: number;
  readonly total: number;
  readonly timeline: readonly { readonly at: string; readonly passing: number }[];
  readonly skipped: number;
  readonly oversized: number;
  readonly refused: number;
}

const MARKS = { pass: "✔", fail: "✘", error: "⚠", none: "·" } as const;
const LABELS = {
  pass: "pass",
  fail: "fail",
  error: "could not run",
  none: "no check yet",
} as const;
const ORDER = { fail: 1, error: 1, none: 2, pass: 3 } as const;

export function boardView(
  room: string,
  state: BoardState,
  now: number,
  rules: StuckRules = DEFAULT_STUCK,
): BoardView {
  const tiles = [...state.attendees.values()].map((a): TileView => {
    const verdict = a.verdict ?? "none";
    return {
      name: a.name,
      exercise: a.exercise ?? "",
      verdict,
      mark: MARKS[verdict],
      label: LABELS[verdict],
      cause: verdict === "pass" || verdict === "none" ? "" : (a.cause ?? a.causeId ?? ""),
      causeId: verdict === "pass" ? "" : (a.causeId ?? ""),
      lastAt: a.lastAt,
      checks: a.checks,
      stuck: stuckReason(a, now, rules),
    };
  });
  tiles.sort(
    (x, y) =>
      Number(y.stuck !== undefined) - Number(x.stuck !== undefined) ||
      ORDER[x.verdict] - ORDER[y.verdict] ||
      x.name.localeCompare(y.name),
  );
  const counts = new Map<string, number>();
  for (const t of tiles)
    if (t.verdict === "fail" || t.verdict === "error")
      counts.set(t.causeId || "unknown", (counts.get(t.causeId || "unknown") ?? 0) + 1);
  return {
    room,
    tiles,
    causes: [...counts]
      .map(([causeId, count]) => ({ causeId, count }))
      .sort((a, b) => b.count - a.count || a.causeId.localeCompare(b.causeId)),
    stuck: tiles.flatMap((t) => (t.stuck ? [{ name: t.name, reason: t.stuck }] : [])),
    passing: tiles.filter((t) => t.verdict === "pass").length,
    total: tiles.length,
    timeline: state.timeline,
    skipped: state.skipped,
    oversized: state.oversized,
    refused: state.refused,
  };
}

/** Why an attendee is stuck, or undefined. */
export function stuckReason(a: AttendeeState, now: number, rules: StuckRules): string | undefined {
  if (a.verdict === "pass") return undefined;
  if (a.streak >= rules.sameCause && a.causeId)
    return `${a.causeId} on ${a.streak} checks in a row`;
  if (a.firstCheckAt && !a.firstPassAt) {
    const minutes = (now - Date.parse(a.firstCheckAt)) / 60_000;
    if (minutes >= rules.minutes) return `no pass ${Math.floor(minutes)} min after the first check`;
  }
  return undefined;
}

/** The CSV's columns: one row per attendee and exercise. */
const CSV_HEADER = [
  "name",
  "exercise",
  "verdict",
  "checks",
  "checks before the pass",
  "first check",
  "first pass",
  "last check",
  "last causeId",
  "last cause",
];

/**
 * One row per attendee per exercise they checked (an attendee who never checked: one row
 * with no exercise): its latest verdict, its first pass, how many checks of that exercise came
 * before it, and the last cause it failed on — for after the workshop.
 */
export function resultsCsv(state: BoardState): string {
  const rows = [CSV_HEADER];
  for (const a of [...state.attendees.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    const records = Object.entries(a.exercises ?? {});
    if (records.length === 0) {
      // Never checked, or saved by a board from before per-exercise records.
      rows.push([
        a.name,
        a.exercise ?? "",
        a.verdict ?? "",
        String(a.checks),
        "",
        a.firstCheckAt ?? "",
        a.firstPassAt ?? "",
        a.checks > 0 ? a.lastAt : "",
        a.verdict === "pass" ? "" : (a.causeId ?? ""),
        a.verdict === "pass" ? "" : (a.cause ?? ""),
      ]);
      continue;
    }
    records.sort(
      ([x, rx], [y, ry]) => rx.firstCheckAt.localeCompare(ry.firstCheckAt) || x.localeCompare(y),
    );
    for (const [exercise, r] of records)
      rows.push([
        a.name,
        exercise,
        r.verdict,
        String(r.checks),
        r.checksBeforePass === undefined ? "" : String(r.checksBeforePass),
        r.firstCheckAt,
        r.firstPassAt ?? "",
        r.lastAt,
        r.causeId ?? "",
        r.cause ?? "",
      ]);
  }
  return `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}

/** RFC 4180 quoting, and no formula injection when the file is opened in a spreadsheet. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
