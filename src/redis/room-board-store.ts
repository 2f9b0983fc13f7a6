import type { Redis } from "ioredis";
import { UsageError } from "../errors.js";
import {
  ENTRY_MAX_BYTES,
  inboxKey,
  MAX_ATTENDEES,
  ROOM_STREAM_CAP,
  ROOM_TTL_S,
  RoomBusyError,
  type RoomKeys,
  TIMELINE_CAP,
} from "./room-store.js";

/** The board's side of a room in Redis: reading the attendees' inboxes, holding the room, writing its state. */
/**
 * Everything the board reads, in one script run by Redis, so that what reaches the board is
 * bounded whatever attendees write, and nothing they write is trusted:
 * - `collect`: the ids rung in `joins` (a bounded scan); an id the board does not follow yet
 *   is followed when the room has room; each rung inbox is read after the board's cursor, and
 *   its ring taken out once all of it was read (a ring stays until then: attendees cannot
 *   take rings out, so none is lost). Work per call follows what was rung, not the room size.
 * - `sweep`: every inbox the board follows (after a restart, or Redis coming back), ringing
 *   those with more to read.
 * Entries are read one at a time, and one larger than the limit is never sent: only its id
 * and size are. Every call also holds the lease: a second board is told the room is busy.
 */
const COLLECT_SCRIPT = `
local cursors, joins, lease = KEYS[1], KEYS[2], KEYS[3]
local prefix, scanFrom, mode = ARGV[1], ARGV[2], ARGV[10]
local maxAttendees, maxBytes = tonumber(ARGV[3]), tonumber(ARGV[4])
local perAttendee, maxEntries, maxTotal = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local maxSeen = tonumber(ARGV[11])
local holder = redis.call('GET', lease)
if holder and holder ~= ARGV[8] then return {'busy'} end
if not holder or redis.call('PTTL', lease) < tonumber(ARGV[9]) / 2 then
  redis.call('SET', lease, ARGV[8], 'PX', ARGV[9])
end
if mode == 'lease' then return {'ok'} end

local out, taken, total, seen, more = {}, 0, 0, 0, 0
local function full() return taken >= maxEntries or total >= maxTotal or seen >= maxSeen end
local function nextId(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if ms and #ms < 16 and #seq < 15 then return ms .. '-' .. string.format('%d', tonumber(seq) + 1) end
  return nil
end
-- Reads an inbox after the board's cursor, one entry at a time (so that Redis never holds more
-- than one large entry here); true when all of it was read.
local function read(id)
  local last = redis.call('HGET', cursors, id)
  if not last then return true end
  local key = prefix .. 'in:' .. id
  for n = 1, perAttendee do
    if full() then return false end
    local from, batch = nextId(last), nil
    if from then batch = redis.pcall('XRANGE', key, from, '+', 'COUNT', 1)
    else batch = redis.pcall('XRANGE', key, last, '+', 'COUNT', 2) end
    if type(batch) ~= 'table' or batch.err then return true end
    local entry = batch[1]
    if entry and not from and entry[1] == last then entry = batch[2] end
    if not entry then return true end
    last = entry[1]
    taken = taken + 1
    local fields, size = entry[2], 0
    for j = 1, #fields do size = size + #fields[j] end
    seen = seen + size
    if size > maxBytes then
      out[#out + 1] = {id, last, size, {}}
    else
      total = total + size
      out[#out + 1] = {id, last, size, fields}
    end
  end
  return false
end

if mode == 'sweep' then
  for _, id in ipairs(redis.call('HKEYS', cursors)) do
    if full() or not read(id) then
      redis.call('HSET', joins, id, '1')
      more = 1
    end
  end
  return {'ok', scanFrom, {}, 0, out, more}
end

local accepted, refused, scanNext = {}, 0, '0'
local following = redis.call('HLEN', cursors)
local scan = redis.pcall('HSCAN', joins, scanFrom, 'COUNT', 250)
if type(scan) == 'table' and scan.err == nil then
  scanNext = scan[1]
  local rung = scan[2]
  for i = 1, #rung, 2 do
    local id = rung[i]
    if id ~= '.' then
      local valid = #id == 22 and not string.find(id, '[^%w_%-]')
      local known = valid and redis.call('HEXISTS', cursors, id) == 1
      if valid and not known then
        if following < maxAttendees then
          redis.call('HSET', cursors, id, '0-0')
          following = following + 1
          accepted[#accepted + 1] = id
          known = true
        else
          refused = refused + 1
        end
      end
      if not known then redis.call('HDEL', joins, id)
      elseif full() then more = 1
      elseif read(id) then redis.call('HDEL', joins, id)
      else more = 1 end
    end
  end
end
-- Rings left for later (or rung meanwhile) mean another call at once.
if scanNext ~= '0' or redis.call('HLEN', joins) > 1 then more = 1 end
return {'ok', scanNext, accepted, refused, out, more}
`;

/** An inbox entry as the board receives it: its fields, or only its size when too large. */
export interface InboxEntry {
  readonly attendee: string;
  readonly id: string;
  readonly size: number;
  /** Undefined when the entry was larger than ENTRY_MAX_BYTES (it was not sent). */
  readonly fields: Record<string, string> | undefined;
}

export interface Collected {
  /** Where to go on with `joins` next time. */
  readonly scanCursor: string;
  /** Attendees the board follows from now on. */
  readonly accepted: readonly string[];
  /** Ids rung while the room was full. */
  readonly refused: number;
  readonly entries: readonly InboxEntry[];
  /** More is waiting: call again at once. */
  readonly more: boolean;
}

export interface CollectOptions {
  readonly token: string;
  readonly leaseMs: number;
  readonly scanCursor: string;
  readonly perAttendee?: number;
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

type CollectClient = Redis & { sessionLabRoomCollect(...args: string[]): Promise<unknown> };

function collectClient(client: Redis): CollectClient {
  const withScript = client as CollectClient;
  if (typeof withScript.sessionLabRoomCollect !== "function")
    client.defineCommand("sessionLabRoomCollect", { numberOfKeys: 3, lua: COLLECT_SCRIPT });
  return withScript;
}

async function runCollect(
  client: Redis,
  keys: RoomKeys,
  options: CollectOptions,
  mode: "lease" | "collect" | "sweep",
): Promise<unknown[]> {
  const reply = await collectClient(client)
    .sessionLabRoomCollect(
      keys.cursors,
      keys.joins,
      keys.lease,
      keys.prefix,
      options.scanCursor,
      String(MAX_ATTENDEES),
      String(ENTRY_MAX_BYTES),
      String(options.perAttendee ?? 100),
      String(options.maxEntries ?? 2000),
      String(options.maxBytes ?? 1024 * 1024),
      options.token,
      String(options.leaseMs),
      mode,
      String(32 * 1024 * 1024),
    )
    .catch((error: Error) => {
      if (/NOPERM|unknown command|NOSCRIPT|disabled/i.test(error.message))
        throw new UsageError(
          `The board's Redis user may not run the script the board reads the room with (${error.message}).`,
          "Start the board as a Redis user allowed EVAL, EVALSHA and SCRIPT (e.g. the default user, or one with +@scripting).",
        );
      throw error;
    });
  const answer = Array.isArray(reply) ? reply : [];
  if (answer[0] === "busy")
    throw new RoomBusyError(
      "Another board is following this room right now.",
      "Open that board's page instead, or stop it first (a board that was killed lets go after a few seconds).",
    );
  return answer;
}

/** Takes (or keeps) the room's lease for this board; throws RoomBusyError when another has it. */
export async function claimRoom(
  client: Redis,
  keys: RoomKeys,
  token: string,
  leaseMs: number,
): Promise<void> {
  await runCollect(client, keys, { token, leaseMs, scanCursor: "0" }, "lease");
}

/** Lets go of the lease, if this board holds it. */
export async function releaseRoom(client: Redis, keys: RoomKeys, token: string): Promise<void> {
  await client.eval(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
    1,
    keys.lease,
    token,
  );
}

/**
 * What attendees wrote since the last call (see COLLECT_SCRIPT), bounded; with `sweep`, every
 * inbox the board follows is looked at (a board starting, or Redis coming back).
 */
export async function collectRoom(
  client: Redis,
  keys: RoomKeys,
  options: CollectOptions & { readonly sweep?: boolean },
): Promise<Collected> {
  const [, scanCursor, accepted, refused, entries, more] = await runCollect(
    client,
    keys,
    options,
    options.sweep ? "sweep" : "collect",
  );
  return {
    scanCursor: typeof scanCursor === "string" ? scanCursor : "0",
    accepted: Array.isArray(accepted)
      ? accepted.filter((id): id is string => typeof id === "string")
      : [],
    refused: Number(refused) || 0,
    entries: (Array.isArray(entries) ? entries : []).flatMap((raw): InboxEntry[] => {
      if (!Array.isArray(raw)) return [];
      const [attendee, id, size, flat] = raw as [unknown, unknown, unknown, unknown];
      if (typeof attendee !== "string" || typeof id !== "string") return [];
      const fields =
        Array.isArray(flat) && Number(size) <= ENTRY_MAX_BYTES ? toFields(flat) : undefined;
      return [{ attendee, id, size: Number(size) || 0, fields }];
    }),
    more: Number(more) === 1,
  };
}

/** What the board saved of the room: where it read up to, each attendee, the passes over time. */
export interface RoomSnapshot {
  readonly cursors: Record<string, string>;
  readonly latest: Record<string, string>;
  readonly timeline: readonly string[];
  readonly counters: Record<string, number>;
}

const COUNTERS = ["skipped", "oversized", "refused"] as const;

export async function readRoomSnapshot(client: Redis, keys: RoomKeys): Promise<RoomSnapshot> {
  const [cursors, latest, timeline, counters] = await Promise.all([
    client.hgetall(keys.cursors),
    client.hgetall(keys.latest),
    client.lrange(keys.timeline, 0, -1),
    client.hmget(keys.meta, ...COUNTERS),
  ]);
  return {
    cursors,
    latest,
    timeline,
    counters: Object.fromEntries(COUNTERS.map((c, i) => [c, Number(counters[i]) || 0])),
  };
}

/** What the board writes after reading: all of it at once (MULTI), so a crash loses nothing. */
export interface RoomChanges {
  readonly cursors: ReadonlyMap<string, string>;
  readonly latest: ReadonlyMap<string, string>;
  readonly events: readonly Record<string, string>[];
  readonly timeline: readonly string[];
  readonly counters: Readonly<Record<string, number>>;
}

export async function writeRoomChanges(
  client: Redis,
  keys: RoomKeys,
  changes: RoomChanges,
): Promise<void> {
  const tx = client.multi();
  if (changes.cursors.size > 0) tx.hset(keys.cursors, ...[...changes.cursors].flat());
  if (changes.latest.size > 0) tx.hset(keys.latest, ...[...changes.latest].flat());
  for (const event of changes.events)
    tx.xadd(
      keys.events,
      "MAXLEN",
      "~",
      String(ROOM_STREAM_CAP),
      "*",
      ...Object.entries(event).flat(),
    );
  if (changes.timeline.length > 0) {
    tx.rpush(keys.timeline, ...changes.timeline);
    tx.ltrim(keys.timeline, -TIMELINE_CAP, -1);
  }
  tx.hset(keys.meta, ...Object.entries(changes.counters).flatMap(([k, v]) => [k, String(v)]));
  for (const key of [keys.meta, keys.cursors, keys.latest, keys.timeline, keys.events, keys.joins])
    tx.expire(key, ROOM_TTL_S);
  for (const attendee of changes.cursors.keys()) tx.expire(inboxKey(keys, attendee), ROOM_TTL_S);
  const results = await tx.exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

function toFields(flat: readonly unknown[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2)
    if (typeof flat[i] === "string" && typeof flat[i + 1] === "string")
      fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}
