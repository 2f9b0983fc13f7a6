import type { Emit } from "../events.js";
import type { CheckReport } from "../model/check-report.js";
import { encodeRoomEvent, type RoomEvent } from "../model/room-event.js";
import { appendRoomEvent, connectRoom, roomConnection, roomKeys } from "../redis/room-store.js";
import { readMembership } from "./membership.js";
import { parseRoomUrl } from "./room-url.js";

/** A check is never held up by the room for longer than this. */
export const PUBLISH_TIMEOUT_MS = 1500;

/** Sends one event to a room; throws when the room cannot be reached in time. */
export async function publishToRoom(url: string, event: RoomEvent): Promise<void> {
  const { redisUrl, room } = parseRoomUrl(url);
  const client = roomConnection(redisUrl, { retry: false, timeoutMs: PUBLISH_TIMEOUT_MS });
  try {
    await connectRoom(client, redisUrl);
    await appendRoomEvent(client, roomKeys(room), event.name, encodeRoomEvent(event));
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
  const membership = await readMembership(workspace);
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
    await withTimeout(publishToRoom(membership.url, event), PUBLISH_TIMEOUT_MS);
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
