import { randomBytes } from "node:crypto";
import type { Emit } from "../events.js";
import type { CheckReport } from "../model/check-report.js";
import { encodeRoomEvent, type RoomEvent } from "../model/room-event.js";
import {
  ATTENDEE_ID,
  appendAttendeeEntry,
  connectRoom,
  roomConnection,
  roomKeys,
} from "../redis/room-store.js";
import { type Membership, readMembership, saveMembership } from "./membership.js";
import { parseRoomUrl } from "./room-url.js";

/** A check is never held up by the room for longer than this. */
export const PUBLISH_TIMEOUT_MS = 1500;

/**
 * A new attendee id: 128 random bits, the name of the attendee's inbox in the room. Nobody
 * else can guess it, so nobody else can write under it.
 */
export function newAttendeeId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Sends one event to a room, into the inbox of `attendee` (a new one when not given: a
 * one-off attendee); throws when the room cannot be reached in time.
 */
export async function publishToRoom(
  url: string,
  event: RoomEvent,
  attendee: string = newAttendeeId(),
): Promise<void> {
  if (!ATTENDEE_ID.test(attendee)) throw new Error(`"${attendee}" is not an attendee id`);
  const { redisUrl, room } = parseRoomUrl(url);
  const client = roomConnection(redisUrl, { retry: false, timeoutMs: PUBLISH_TIMEOUT_MS });
  try {
    await connectRoom(client, redisUrl);
    await appendAttendeeEntry(client, roomKeys(room), attendee, encodeRoomEvent(event));
  } finally {
    client.disconnect();
  }
}

/**
 * Publishes a check's result to the room the workspace joined, if any: the name, exercise,
 * verdict, cause and per-scenario statuses, never code. It never breaks or slows the check:
 * one short timeout, and on failure one line; the check's result and exit code stand.
 */
export async function publishCheck(
  workspace: string,
  report: CheckReport,
  version: string,
  emit: Emit,
): Promise<boolean> {
  const membership = await withId(workspace, await readMembership(workspace));
  if (!membership) return false;
  const event: RoomEvent = {
    type: "check",
    name: membership.name,
    at: report.finishedAt,
    version,
    exercise: report.exercise.id,
    verdict: report.verdict,
    ...(report.causeId ? { causeId: report.causeId } : {}),
    ...(report.cause ? { cause: report.cause } : {}),
    scenarios: report.scenarios.map((s) => ({ id: s.id, status: s.status })),
    durationMs: report.durationMs,
  };
  try {
    await withTimeout(publishToRoom(membership.url, event, membership.id), PUBLISH_TIMEOUT_MS);
    emit({ type: "room:published", room: membership.room, name: membership.name });
    return true;
  } catch {
    emit({
      type: "warning",
      message: `Could not reach the room board (${membership.room}); your result is still valid.`,
    });
    return false;
  }
}

/** A membership from before inboxes gets its id now (the board shows it as a new attendee). */
async function withId(
  workspace: string,
  membership: Membership | undefined,
): Promise<(Membership & { id: string }) | undefined> {
  if (!membership) return undefined;
  if (membership.id && ATTENDEE_ID.test(membership.id)) return { ...membership, id: membership.id };
  const upgraded = { ...membership, id: newAttendeeId() };
  await saveMembership(workspace, upgraded).catch(() => {});
  return upgraded;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
