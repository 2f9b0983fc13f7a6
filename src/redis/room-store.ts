import { Redis } from "ioredis";
import { RedisUnavailableError, UsageError } from "../errors.js";
import { maskRedisUrl } from "./url.js";

/** The Redis keys of one room: all under one prefix, so one ACL pattern covers them. */
export interface RoomKeys {
  readonly prefix: string;
  /** A stream of every event, newest last, capped. */
  readonly events: string;
  /** A hash: attendee name -> their latest result (JSON). */
  readonly latest: string;
  /** A hash: when the room was opened, by which lab version. */
  readonly meta: string;
}

export function roomKeys(room: string): RoomKeys {
  const prefix = `session-lab:room:${room}:`;
  return { prefix, events: `${prefix}events`, latest: `${prefix}latest`, meta: `${prefix}meta` };
}

/** A room's keys go a day after its last event. */
export const ROOM_TTL_S = 24 * 60 * 60;
/** The stream keeps about this many events (XADD MAXLEN ~). */
export const ROOM_STREAM_CAP = 10_000;

/** One stream entry: its id and its fields as name -> value. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Record<string, string>;
}

/**
 * A connection to a room's Redis that fails fast. With `retry`, it reconnects by itself
 * (the board, which must survive a Redis restart); without, a command fails at once.
 */
export function roomConnection(
  url: string,
  options: { retry: boolean; timeoutMs?: number },
): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.timeoutMs ?? 2000,
    commandTimeout: options.retry ? undefined : (options.timeoutMs ?? 2000),
    // An attendee's ACL user may run only what the room needs: no INFO for a ready check.
    enableReadyCheck: false,
    enableOfflineQueue: options.retry,
    maxRetriesPerRequest: options.retry ? null : 0,
    retryStrategy: options.retry ? (times) => Math.min(times * 200, 2000) : () => null,
  });
  client.on("error", () => {});
  return client;
}

/** Connects, with the reason in one sentence when it cannot. */
export async function connectRoom(client: Redis, url: string): Promise<void> {
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new RedisUnavailableError(
      `The room's Redis at ${maskRedisUrl(url)} is unreachable (${(error as Error).message}).`,
      "Check the room URL your instructor gave you (host, port, user and password), and that you are on the workshop's network.",
      { cause: error },
    );
  }
}

/**
 * Opens a room (or resumes it): its meta hash says when and by which version. Refuses a
 * Redis without streams (before 5.0) in one sentence.
 */
export async function openRoom(client: Redis, keys: RoomKeys, version: string): Promise<void> {
  try {
    await client.call("XLEN", keys.events);
  } catch (error) {
    if (/unknown command/i.test((error as Error).message)) {
      throw new UsageError(
        "This Redis has no streams (XADD), which the room board needs: it is older than Redis 5.",
        "Use Redis 5 or newer: a local redis-server, a container (redis:7), or a managed Redis.",
      );
    }
    throw error;
  }
  await client.hsetnx(keys.meta, "openedAt", new Date().toISOString());
  await client.hset(keys.meta, "version", version);
  await client.expire(keys.meta, ROOM_TTL_S);
}

/** Whether a room was opened by a board (an attendee joining a typo'd room hears it). */
export async function roomExists(client: Redis, keys: RoomKeys): Promise<boolean> {
  return (await client.exists(keys.meta)) === 1;
}

/** Appends an event, updates the attendee's latest result, and pushes the room's expiry on. */
export async function appendRoomEvent(
  client: Redis,
  keys: RoomKeys,
  name: string,
  event: Record<string, string>,
): Promise<string> {
  const fields = Object.entries(event).flat();
  const results = await client
    .multi()
    .xadd(keys.events, "MAXLEN", "~", String(ROOM_STREAM_CAP), "*", ...fields)
    .hset(keys.latest, name, JSON.stringify(event))
    .expire(keys.events, ROOM_TTL_S)
    .expire(keys.latest, ROOM_TTL_S)
    .expire(keys.meta, ROOM_TTL_S)
    .exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  return String(results?.[0]?.[1] ?? "");
}

/** Every event the stream still holds, oldest first (a board rebuilding its state). */
export async function readRoomHistory(client: Redis, keys: RoomKeys): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  let start = "-";
  for (;;) {
    const batch = (await client.xrange(keys.events, start, "+", "COUNT", 1000)) as [
      string,
      string[],
    ][];
    for (const [id, flat] of batch) if (id !== start) out.push({ id, fields: toFields(flat) });
    if (batch.length < 1000) return out;
    start = batch.at(-1)?.[0] ?? "+";
  }
}

/** The latest result of every attendee (the hash), as raw JSON strings. */
export async function readLatest(client: Redis, keys: RoomKeys): Promise<Record<string, string>> {
  return client.hgetall(keys.latest);
}

/** Waits up to `blockMs` for events after `lastId` (XREAD BLOCK). */
export async function readNewEvents(
  client: Redis,
  keys: RoomKeys,
  lastId: string,
  blockMs: number,
): Promise<StreamEntry[]> {
  const answer = (await client.xread(
    "COUNT",
    500,
    "BLOCK",
    blockMs,
    "STREAMS",
    keys.events,
    lastId,
  )) as [string, [string, string[]][]][] | null;
  return (answer?.[0]?.[1] ?? []).map(([id, flat]) => ({ id, fields: toFields(flat) }));
}

/**
 * Creates (or updates) the ACL user attendees publish as: it may only append to this room's
 * keys (XADD, HSET, EXPIRE, EXISTS on them) and PING. Returns the ACL SETUSER line, which is
 * printed instead when the instructor's user may not run ACL commands.
 */
export function attendeeAclLine(user: string, password: string, keys: RoomKeys): string[] {
  return [
    "ACL",
    "SETUSER",
    user,
    "reset",
    "on",
    `>${password}`,
    `~${keys.prefix}*`,
    "resetchannels",
    "-@all",
    "+xadd",
    "+hset",
    "+expire",
    "+exists",
    "+multi",
    "+exec",
    "+ping",
    "+hello",
    "+auth",
    "+select",
  ];
}

export async function createAttendeeUser(client: Redis, line: readonly string[]): Promise<void> {
  const [command, ...args] = line;
  await client.call(command ?? "ACL", ...args);
}

function toFields(flat: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}
