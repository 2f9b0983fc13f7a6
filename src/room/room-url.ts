import { UsageError } from "../errors.js";
import { parseRedisUrl } from "../redis/url.js";

/** A room: the Redis it lives in (with credentials), and its name. */
export interface RoomAddress {
  /** The Redis URL, without the room part. */
  readonly redisUrl: string;
  readonly room: string;
}

const ROOM_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Validates a room name: lower-case letters, digits and dashes, 40 at most. */
export function parseRoomName(value: string, from = "--room"): string {
  const room = value.trim().toLowerCase();
  if (!ROOM_NAME.test(room)) {
    throw new UsageError(
      `${from} "${value}" is not a room name.`,
      "Use letters, digits and dashes, 40 at most, e.g. --room redis-day-1.",
    );
  }
  return room;
}

/**
 * Reads a room URL as the board prints it: `redis://user:password@host:6379/0#room-name`
 * (rediss:// for TLS). The part after `#` names the room.
 */
export function parseRoomUrl(value: string): RoomAddress {
  const hash = value.lastIndexOf("#");
  if (hash < 0) {
    throw new UsageError(
      "The room URL has no room name after #.",
      "Paste the whole line the instructor's board printed, e.g. redis://attendee:secret@10.0.0.5:6379#redis-day-1.",
    );
  }
  const redisUrl = parseRedisUrl(value.slice(0, hash), "The room URL");
  return { redisUrl, room: parseRoomName(value.slice(hash + 1), "The room name") };
}

/** The URL attendees paste: the room's Redis with the attendee's credentials, and the room. */
export function formatRoomUrl(
  redisUrl: string,
  room: string,
  attendee?: { user: string; password: string },
): string {
  const url = new URL(redisUrl);
  if (attendee) {
    url.username = encodeURIComponent(attendee.user);
    url.password = encodeURIComponent(attendee.password);
  }
  return `${url.toString().replace(/\/$/, "")}#${room}`;
}

/** Validates an attendee's display name: not empty, 40 characters at most. */
export function parseAttendeeName(value: string | undefined): string {
  const name = (value ?? "").trim().replace(/\s+/g, " ");
  if (name.length === 0 || name.length > 40) {
    throw new UsageError(
      name.length === 0
        ? "--name is empty: the board needs a name to show."
        : `--name is ${name.length} characters long; 40 at most.`,
      'Give the name the instructor will see, e.g. --name "Ada L."',
    );
  }
  return name;
}
