import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { LabError, RedisUnavailableError, UsageError } from "../errors.js";
import { maskRedisUrl } from "./url.js";

/**
 * The Redis keys of one room, all under one prefix. Attendees may write two kinds only (see
 * attendeeAclLine): their own inbox, `in:<attendee id>`, a stream; and `joins`, a hash in which
 * they ring (their id as a field) so that the board finds their inbox. Everything else is the
 * board's alone: the room's state is written by the board, from entries it has checked.
 */
export interface RoomKeys {
  readonly prefix: string;
  /** The board's stream of every event it accepted, newest last, capped. */
  readonly events: string;
  /** The board's hash: attendee id -> what the board knows of them (JSON). */
  readonly latest: string;
  /** The board's hash: when the room was opened, by which version, the attendee password. */
  readonly meta: string;
  /** The board's hash: attendee id -> the last entry it read from their inbox. */
  readonly cursors: string;
  /** The board's list: passes over time (JSON points). */
  readonly timeline: string;
  /** The one board following the room (a lease, so two boards never read an inbox twice). */
  readonly lease: string;
  /** Attendees ring here (HSET joins <id> 1); the board takes their ids out. */
  readonly joins: string;
}

export function roomKeys(room: string): RoomKeys {
  const prefix = `session-lab:room:${room}:`;
  const key = (name: string) => `${prefix}${name}`;
  return {
    prefix,
    events: key("events"),
    latest: key("latest"),
    meta: key("meta"),
    cursors: key("cursors"),
    timeline: key("timeline"),
    lease: key("board"),
    joins: key("joins"),
  };
}

/** An attendee's inbox: a stream only they (and the board) know the name of. */
export function inboxKey(keys: RoomKeys, attendee: string): string {
  return `${keys.prefix}in:${attendee}`;
}

/** An attendee id: 16 random bytes, base64url (what `join` makes; the only ids the board reads). */
export const ATTENDEE_ID = /^[A-Za-z0-9_-]{22}$/;

/** A room's keys go a day after its last event. */
export const ROOM_TTL_S = 24 * 60 * 60;
/** The board's stream keeps about this many events (XADD MAXLEN ~). */
export const ROOM_STREAM_CAP = 10_000;
/** An attendee keeps about this many entries in their inbox (the board has read them). */
export const INBOX_CAP = 100;
/** Entries larger than this (all fields and values, in bytes) are skipped, never read. */
export const ENTRY_MAX_BYTES = 8 * 1024;
/** The board follows this many attendees at most; later ones are refused (and counted). */
export const MAX_ATTENDEES = 1000;
/** The passes-over-time chart keeps this many points. */
export const TIMELINE_CAP = 2000;

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
  // ioredis reports why a connection failed (ECONNREFUSED, WRONGPASS) only as an event; the
  // command that was waiting hears "Connection is closed". Kept for connectRoom's sentence.
  client.on("error", (error: Error) => lastErrors.set(client, error));
  return client;
}

const lastErrors = new WeakMap<Redis, Error>();

/** Who connects to a room: the next step differs (an attendee asks; the instructor fixes). */
export type RoomRole = "attendee" | "instructor";

/**
 * Connects, with the true reason in one sentence when it cannot (a refused password is not
 * an unreachable Redis) and the next step for whoever connects.
 */
export async function connectRoom(
  client: Redis,
  url: string,
  role: RoomRole = "attendee",
): Promise<void> {
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const why = lastErrors.get(client) ?? (error as Error);
    const [message, next] = roomTrouble(why.message, maskRedisUrl(url), role);
    throw new RedisUnavailableError(message, next, { cause: error });
  }
}

/** The sentence and the next step for a room connection that failed with `message`. */
export function roomTrouble(
  message: string,
  where: string,
  role: RoomRole,
): readonly [string, string] {
  if (/WRONGPASS|invalid username-password|invalid password/i.test(message)) {
    return [
      `The room's Redis at ${where} refused the user and password (${message.split(" ")[0]}).`,
      role === "attendee"
        ? "Copy the join line your instructor gave you again, whole (the user and password are in it); if it still fails, the board may have been started again with a new room: ask for the current line."
        : "Check the user and password in --redis-url (redis://user:password@host:port); with the default user, only the password: redis://:password@host:port.",
    ];
  }
  if (/NOAUTH/i.test(message)) {
    return [
      `The room's Redis at ${where} needs a password, and none was given (NOAUTH).`,
      role === "attendee"
        ? "Use the join line your instructor gave you, whole: it holds the user and password."
        : "Put the password in --redis-url: redis://:password@host:port (or redis://user:password@host:port).",
    ];
  }
  return [
    `The room's Redis at ${where} is unreachable (${message}).`,
    role === "attendee"
      ? "Check the room URL your instructor gave you (host and port), and that you are on the workshop's network."
      : "Is that Redis running and reachable from here? Start one (redis-server --port 6379), or check the host and port in --redis-url.",
  ];
}

/** Whether a board opened the room (an attendee joining a typo'd room hears it). */
export async function roomExists(client: Redis, keys: RoomKeys): Promise<boolean> {
  return (await client.exists(keys.joins)) === 1;
}

/**
 * An attendee's entry: appended to their own inbox (which they may trim: it hurts no one
 * else), and their id rung in `joins` so the board finds the inbox. Two commands an ACL user
 * allowed XADD and HSET on those keys may run, nothing else.
 */
export async function appendAttendeeEntry(
  client: Redis,
  keys: RoomKeys,
  attendee: string,
  fields: Record<string, string>,
): Promise<void> {
  const results = await client
    .multi()
    .xadd(
      inboxKey(keys, attendee),
      "MAXLEN",
      "~",
      String(INBOX_CAP),
      "*",
      ...Object.entries(fields).flat(),
    )
    .hset(keys.joins, attendee, "1")
    .exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

/**
 * The user attendees publish as: XADD and HSET on inboxes and `joins` only (and EXISTS, to
 * tell a typo'd room), never a read, a delete or an expiry. Returns the ACL SETUSER line,
 * which is printed instead when the instructor's user may not run ACL commands.
 */
export function attendeeAclLine(user: string, password: string, keys: RoomKeys): string[] {
  return [
    "ACL",
    "SETUSER",
    user,
    "reset",
    "on",
    `>${password}`,
    ...ATTENDEE_RULES,
    `~${keys.prefix}in:*`,
    `~${keys.joins}`,
  ];
}

const ATTENDEE_COMMANDS = [
  "xadd",
  "hset",
  "exists",
  "multi",
  "exec",
  "ping",
  "hello",
  "auth",
  "select",
];
const ATTENDEE_RULES = ["resetchannels", "-@all", ...ATTENDEE_COMMANDS.map((c) => `+${c}`)];

/**
 * Makes the attendee user as the line says, unless it is already there with this password and
 * these rules: a restarted board never rotates or rewrites what attendees already hold.
 * Returns whether it had to write it.
 */
export async function ensureAttendeeUser(client: Redis, line: readonly string[]): Promise<boolean> {
  const [command, , user, , , password, ...rules] = line;
  const existing = (await client.call("ACL", "GETUSER", user ?? "")) as unknown[] | null;
  if (existing && sameUser(existing, (password ?? "").slice(1), rules)) return false;
  await client.call(command ?? "ACL", ...line.slice(1));
  return true;
}

function sameUser(reply: unknown[], password: string, rules: readonly string[]): boolean {
  const field = (name: string) => reply[reply.indexOf(name) + 1];
  const words = (value: unknown) =>
    (Array.isArray(value) ? value.join(" ") : String(value ?? ""))
      .split(" ")
      .filter(Boolean)
      .sort()
      .join(" ");
  const hash = createHash("sha256").update(password).digest("hex");
  const passwords = field("passwords");
  const keys = rules.filter((r) => r.startsWith("~"));
  const commands = rules.filter((r) => /^[+-]/.test(r));
  return (
    Array.isArray(passwords) &&
    passwords.length === 1 &&
    passwords[0] === hash &&
    Array.isArray(field("flags")) &&
    (field("flags") as unknown[]).includes("on") &&
    words(field("keys")) === words(keys) &&
    words(field("commands")) === words(commands) &&
    words(field("channels")) === ""
  );
}

/** Another board follows this room right now. */
export class RoomBusyError extends LabError {}

/**
 * Opens a room (or resumes it): the meta hash says when and by which version, `joins` is made
 * a hash attendees can ring in. Refuses a Redis without streams (before 5.0) in one sentence.
 * Returns whether the room was there already (false after a Redis lost its data).
 */
export async function openRoom(client: Redis, keys: RoomKeys, version: string): Promise<boolean> {
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
  const existed = (await client.exists(keys.meta)) === 1;
  // An attendee may have made `joins` a stream while the room had expired: it is the board's to shape.
  const type = await client.type(keys.joins);
  if (type !== "none" && type !== "hash") await client.del(keys.joins);
  await client
    .multi()
    .hsetnx(keys.meta, "openedAt", new Date().toISOString())
    .hset(keys.meta, "version", version)
    .hset(keys.joins, ".", "the board")
    .exec();
  await refreshRoom(client, keys);
  return existed;
}

/** Pushes the expiry of the board's keys a day on. */
export async function refreshRoom(client: Redis, keys: RoomKeys): Promise<void> {
  const pipeline = client.pipeline();
  for (const key of [keys.meta, keys.joins, keys.cursors, keys.latest, keys.timeline, keys.events])
    pipeline.expire(key, ROOM_TTL_S);
  await pipeline.exec();
}

/** The attendee password kept in the room's meta, if any. */
export async function readAttendeePassword(
  client: Redis,
  keys: RoomKeys,
): Promise<string | undefined> {
  return (await client.hget(keys.meta, "attendeePassword")) ?? undefined;
}

export async function saveAttendeePassword(
  client: Redis,
  keys: RoomKeys,
  password: string,
): Promise<void> {
  await client.hset(keys.meta, "attendeePassword", password);
}
