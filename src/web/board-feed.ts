import { randomBytes } from "node:crypto";
import { decodeRoomEvent, encodeRoomEvent, type RoomEvent } from "../model/room-event.js";
import {
  type Collected,
  claimRoom,
  collectRoom,
  type RoomChanges,
  readRoomSnapshot,
  releaseRoom,
  writeRoomChanges,
} from "../redis/room-board-store.js";
import {
  connectRoom,
  ENTRY_MAX_BYTES,
  MAX_ATTENDEES,
  openRoom,
  RoomBusyError,
  roomConnection,
  roomKeys,
} from "../redis/room-store.js";
import {
  applyEvent,
  type Board,
  type BoardState,
  decodeAttendee,
  emptyBoard,
  encodeAttendee,
  restoreAttendee,
} from "./board-model.js";

/** A room's events as they arrive, folded into the board's state. */
export interface BoardFeed {
  readonly state: BoardState;
  /** Whether the room's Redis answers right now. */
  readonly up: boolean;
  close(): Promise<void>;
}

export interface BoardFeedOptions {
  readonly redisUrl: string;
  readonly room: string;
  readonly version: string;
  /** Each new event (after the catch-up), with the name the board shows, e.g. for --json. */
  readonly onEvent?: (event: RoomEvent) => void;
  /** The state changed. */
  readonly onChange?: (state: BoardState) => void;
  /** The room's Redis went away (false) or came back (true). */
  readonly onStatus?: (up: boolean) => void;
  /** Something the instructor should know, in one sentence (entries too large, a full room). */
  readonly onWarning?: (message: string) => void;
  /** Only read what the room holds (an export): when another board follows it, use its state. */
  readonly once?: boolean;
}

/** How often the board asks for new entries when the room is quiet. */
const POLL_MS = 150;
/** How long the room stays this board's after its last word (a killed board lets go then). */
const LEASE_MS = 4000;
/** A starting board reads what waited for this long at most before it opens its page. */
const CATCH_UP_MS = 3000;
/** At most one line this often about the same kind of trouble. */
const WARN_EVERY_MS = 60_000;

/**
 * Follows a room: takes its lease, puts back what the board saved in the room (so a restarted
 * board loses nothing and is ready at once), reads what attendees wrote since (in bounded
 * batches), then keeps reading every POLL_MS. Every batch is folded into the state in place
 * and saved back in one transaction. When Redis goes away it says so and keeps trying; when
 * it is back, it reopens the room and carries on.
 */
export async function openBoardFeed(options: BoardFeedOptions): Promise<BoardFeed> {
  const keys = roomKeys(options.room);
  const client = roomConnection(options.redisUrl, { retry: true });
  await connectRoom(client, options.redisUrl, "instructor");
  const token = randomBytes(12).toString("base64url");
  const board = emptyBoard();
  const warn = warnings(options.onWarning);
  let scanCursor = "0";
  let pending: RoomChanges | undefined;
  // Look at every inbox on the first step, and again whenever Redis comes back: a ring taken
  // out just before a crash (or a lost connection) must not leave entries unread.
  let sweep = true;
  let reopen = false;

  /** One batch: what attendees wrote, folded in and saved. Returns whether more waits. */
  const step = async (live: boolean): Promise<boolean> => {
    if (reopen) {
      reopen = false;
      sweep = true;
      // A Redis that lost its data lost the room: the board writes back what it knows.
      if (!(await openRoom(client, keys, options.version))) pending = everything(board);
    }
    if (pending) await writeRoomChanges(client, keys, pending);
    pending = undefined;
    const got = await collectRoom(client, keys, {
      token,
      leaseMs: LEASE_MS,
      scanCursor,
      sweep,
    });
    // A sweep rings what it could not read: collect it at once.
    const more = got.more || sweep;
    sweep = false;
    scanCursor = got.scanCursor;
    const changes = fold(board, got, warn, live ? options.onEvent : undefined);
    if (!changes) return more;
    pending = changes;
    await writeRoomChanges(client, keys, changes);
    pending = undefined;
    if (live) options.onChange?.(board);
    return more;
  };

  let claimed = false;
  try {
    await openRoom(client, keys, options.version);
    claimed = await claim(client, keys, token, options.once === true);
    restore(board, await readRoomSnapshot(client, keys));
    // What waited is read before the page opens, for a few seconds at most: an attendee
    // writing without pause must not keep the board from starting (the loop reads the rest).
    const until = Date.now() + CATCH_UP_MS;
    if (claimed) while ((await step(false)) && Date.now() < until);
  } catch (error) {
    if (claimed) await settle(releaseRoom(client, keys, token), 300);
    client.disconnect();
    throw error;
  }

  let up = true;
  let closed = options.once === true;
  let wake: () => void = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const setUp = (value: boolean) => {
    if (up === value || closed) return;
    up = value;
    if (value) reopen = true;
    options.onStatus?.(value);
  };
  client.on("close", () => setUp(false));
  client.on("ready", () => setUp(true));

  const loop = (async () => {
    while (!closed) {
      try {
        const more = await step(true);
        setUp(true);
        if (!more) await sleep(POLL_MS);
      } catch (error) {
        if (closed) return;
        if (error instanceof RoomBusyError) warn("busy", 1, () => BUSY);
        else setUp(false);
        await sleep(500);
      }
    }
  })();

  return {
    get state() {
      return board;
    },
    get up() {
      return up;
    },
    async close() {
      closed = true;
      wake();
      if (claimed) await settle(releaseRoom(client, keys, token), 300);
      claimed = false;
      client.disconnect();
      // A command queued while Redis was away may never settle once disconnected: do not wait
      // for it longer than a moment (it holds no socket or timer, so nothing stays behind).
      await settle(loop, 500);
    },
  };
}

const BUSY =
  "Another board took over this room (it was away for a few seconds); this one shows what it had and tries again.";

/**
 * Takes the lease, waiting a moment for a killed board's to lapse. False when another board
 * has it and `once` (an export then reads what that board saved).
 */
async function claim(
  client: ReturnType<typeof roomConnection>,
  keys: ReturnType<typeof roomKeys>,
  token: string,
  once: boolean,
): Promise<boolean> {
  const deadline = Date.now() + LEASE_MS + 1000;
  for (;;) {
    try {
      await claimRoom(client, keys, token, LEASE_MS);
      return true;
    } catch (error) {
      if (!(error instanceof RoomBusyError)) throw error;
      if (once) return false;
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Folds one batch into the board; the changes to save, or undefined when nothing changed. */
function fold(
  board: Board,
  got: Collected,
  warn: ReturnType<typeof warnings>,
  onEvent: ((event: RoomEvent) => void) | undefined,
): RoomChanges | undefined {
  if (got.entries.length === 0 && got.refused === 0) return undefined;
  const cursors = new Map<string, string>();
  const latest = new Map<string, string>();
  const events: Record<string, string>[] = [];
  const timeline: string[] = [];
  if (got.refused > 0) {
    board.refused += got.refused;
    warn("refused", got.refused, (n, first) =>
      first
        ? `The room is full (${MAX_ATTENDEES} attendees): later attendees are not shown (${n} so far).`
        : `The room is still full: ${n} more attendees are not shown (${board.refused} in all).`,
    );
  }
  for (const entry of got.entries) {
    cursors.set(entry.attendee, entry.id);
    if (!entry.fields) {
      board.oversized++;
      const who = board.attendees.get(entry.attendee)?.name ?? "an attendee not on the board yet";
      warn("oversized", 1, (n, first) =>
        first
          ? `Skipped an entry of ${size(entry.size)} from ${who}: entries larger than ${ENTRY_MAX_BYTES / 1024} KB are not read.`
          : `Skipped ${n} more entries larger than ${ENTRY_MAX_BYTES / 1024} KB (${board.oversized} in all).`,
      );
      continue;
    }
    const point = board.timeline.at(-1);
    let shown: RoomEvent | undefined;
    try {
      const event = decodeRoomEvent(entry.fields);
      const after = applyEvent(board, event, entry.attendee);
      if (!event || !after) continue;
      latest.set(entry.attendee, encodeAttendee(after));
      shown = { ...event, name: after.name };
      events.push(encodeRoomEvent(shown));
    } catch {
      // Never a stall: an entry the board cannot fold is skipped like any malformed one.
      board.skipped++;
      continue;
    }
    const now = board.timeline.at(-1);
    if (now && now !== point) timeline.push(JSON.stringify(now));
    onEvent?.(shown);
  }
  return { cursors, latest, events, timeline, counters: counters(board) };
}

/** The whole state, to write back into a Redis that lost it. */
function everything(board: Board): RoomChanges {
  return {
    cursors: new Map(),
    latest: new Map([...board.attendees].map(([id, a]) => [id, encodeAttendee(a)])),
    events: [],
    timeline: board.timeline.map((p) => JSON.stringify(p)),
    counters: counters(board),
  };
}

function counters(board: Board): Record<string, number> {
  return { skipped: board.skipped, oversized: board.oversized, refused: board.refused };
}

/** Puts back what a board saved in the room: each attendee, the passes over time, the counts. */
function restore(board: Board, snapshot: Awaited<ReturnType<typeof readRoomSnapshot>>): void {
  for (const [id, json] of Object.entries(snapshot.latest)) {
    const state = decodeAttendee(json);
    if (state) restoreAttendee(board, id, state);
  }
  for (const json of snapshot.timeline) {
    try {
      const point = JSON.parse(json) as { at?: unknown; passing?: unknown };
      if (typeof point?.at === "string" && typeof point.passing === "number")
        board.timeline.push({ at: point.at, passing: point.passing });
    } catch {}
  }
  board.skipped = snapshot.counters.skipped ?? 0;
  board.oversized = snapshot.counters.oversized ?? 0;
  board.refused = snapshot.counters.refused ?? 0;
}

/**
 * One line per kind of trouble the first time, then at most one a minute with how many more:
 * an attendee sending thousands of bad entries must not flood the instructor's terminal.
 */
function warnings(onWarning: ((message: string) => void) | undefined) {
  const state = new Map<string, { at: number; unsaid: number }>();
  return (kind: string, count: number, message: (unsaid: number, first: boolean) => string) => {
    const seen = state.get(kind) ?? { at: 0, unsaid: 0 };
    seen.unsaid += count;
    state.set(kind, seen);
    if (Date.now() - seen.at < WARN_EVERY_MS) return;
    onWarning?.(message(seen.unsaid, seen.at === 0));
    seen.at = Date.now();
    seen.unsaid = 0;
  };
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : `${(bytes / 1024).toFixed(1)} KB`;
}

function settle(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
