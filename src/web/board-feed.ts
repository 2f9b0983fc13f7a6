import { decodeRoomEvent, type RoomEvent } from "../model/room-event.js";
import {
  connectRoom,
  openRoom,
  readLatest,
  readNewEvents,
  readRoomHistory,
  roomConnection,
  roomKeys,
} from "../redis/room-store.js";
import { applyEvent, type BoardState, EMPTY_BOARD } from "./board-model.js";

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
  /** Each new event (after the history), e.g. for --json. */
  readonly onEvent?: (event: RoomEvent) => void;
  /** The state changed. */
  readonly onChange?: (state: BoardState) => void;
  /** The room's Redis went away (false) or came back (true). */
  readonly onStatus?: (up: boolean) => void;
}

/**
 * Rebuilds the room from its stream and latest-results hash (so a restarted board loses
 * nothing), then follows the stream with XREAD BLOCK. When Redis goes away it says so and
 * keeps trying; when it is back, it reopens the room and carries on.
 */
export async function openBoardFeed(options: BoardFeedOptions): Promise<BoardFeed> {
  const keys = roomKeys(options.room);
  const commands = roomConnection(options.redisUrl, { retry: true });
  const blocking = roomConnection(options.redisUrl, { retry: true });
  await connectRoom(commands, options.redisUrl);
  await connectRoom(blocking, options.redisUrl);
  await openRoom(commands, keys, options.version);

  let state = EMPTY_BOARD;
  let lastId = "0-0";
  for (const entry of await readRoomHistory(commands, keys)) {
    state = applyEvent(state, decodeRoomEvent(entry.fields));
    lastId = entry.id;
  }
  // The stream is capped: attendees whose events were trimmed still have their latest result.
  for (const [name, json] of Object.entries(await readLatest(commands, keys))) {
    if (state.attendees.has(name)) continue;
    state = applyEvent(state, decodeRoomEvent(safeParse(json)));
  }

  let up = true;
  let closed = false;
  const setUp = (value: boolean) => {
    if (up === value || closed) return;
    up = value;
    options.onStatus?.(value);
    if (value) void openRoom(commands, keys, options.version).catch(() => {});
  };
  blocking.on("close", () => setUp(false));
  blocking.on("ready", () => setUp(true));

  const loop = (async () => {
    while (!closed) {
      try {
        const entries = await readNewEvents(blocking, keys, lastId, 1000);
        setUp(true);
        for (const entry of entries) {
          const event = decodeRoomEvent(entry.fields);
          state = applyEvent(state, event);
          lastId = entry.id;
          if (event) options.onEvent?.(event);
        }
        if (entries.length > 0) options.onChange?.(state);
      } catch {
        if (closed) return;
        setUp(false);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    get state() {
      return state;
    },
    get up() {
      return up;
    },
    async close() {
      closed = true;
      commands.disconnect();
      blocking.disconnect();
      // A read queued while Redis was away may never settle once disconnected: do not wait
      // for it longer than a moment (it holds no socket or timer, so nothing stays behind).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise((resolve) => (timer = setTimeout(resolve, 500)))]);
      clearTimeout(timer);
    },
  };
}

function safeParse(json: string): Record<string, string> {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === "object" ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
