import type { RoomEvent, RoomVerdict } from "../model/room-event.js";

/** What the board knows of one attendee, from the events it has seen. */
export interface AttendeeState {
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
}

/** The room as the board sees it: a pure function of the events, in order. */
export interface BoardState {
  readonly attendees: ReadonlyMap<string, AttendeeState>;
  /** Entries of the stream that were not events of ours, or were malformed. */
  readonly skipped: number;
  /** How many attendees pass, each time that changed. */
  readonly timeline: readonly { readonly at: string; readonly passing: number }[];
}

export const EMPTY_BOARD: BoardState = { attendees: new Map(), skipped: 0, timeline: [] };

/** The state after one more stream entry (an event, or undefined for one that was skipped). */
export function applyEvent(state: BoardState, event: RoomEvent | undefined): BoardState {
  if (!event) return { ...state, skipped: state.skipped + 1 };
  const attendees = new Map(state.attendees);
  const before = attendees.get(event.name);
  if (event.type === "joined") {
    attendees.set(
      event.name,
      before ?? { name: event.name, checks: 0, lastAt: event.at, streak: 0 },
    );
    return { ...state, attendees };
  }
  const failing = event.verdict !== "pass";
  const sameCause = failing && before?.verdict !== "pass" && before?.causeId === event.causeId;
  attendees.set(event.name, {
    name: event.name,
    checks: (before?.checks ?? 0) + 1,
    firstCheckAt: before?.firstCheckAt ?? event.at,
    firstPassAt: before?.firstPassAt ?? (event.verdict === "pass" ? event.at : undefined),
    lastAt: event.at,
    exercise: event.exercise,
    verdict: event.verdict,
    causeId: event.causeId,
    cause: event.cause,
    streak: failing ? (sameCause ? (before?.streak ?? 0) + 1 : 1) : 0,
  });
  const passing = countPassing(attendees);
  const timeline =
    state.timeline.at(-1)?.passing === passing
      ? state.timeline
      : [...state.timeline, { at: event.at, passing }];
  return { ...state, attendees, timeline };
}

function countPassing(attendees: ReadonlyMap<string, AttendeeState>): number {
  let n = 0;
  for (const a of attendees.values()) if (a.verdict === "pass") n++;
  return n;
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

/** One row per attendee: the latest result and the first pass, for after the workshop. */
export function resultsCsv(state: BoardState): string {
  const rows = [
    [
      "name",
      "exercise",
      "verdict",
      "causeId",
      "cause",
      "checks",
      "first check",
      "first pass",
      "last check",
    ],
  ];
  for (const a of [...state.attendees.values()].sort((x, y) => x.name.localeCompare(y.name))) {
    rows.push([
      a.name,
      a.exercise ?? "",
      a.verdict ?? "",
      a.causeId ?? "",
      a.cause ?? "",
      String(a.checks),
      a.firstCheckAt ?? "",
      a.firstPassAt ?? "",
      a.checks > 0 ? a.lastAt : "",
    ]);
  }
  return `${rows.map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
}

/** RFC 4180 quoting, and no formula injection when the file is opened in a spreadsheet. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
