import { UsageError } from "../errors.js";
import type { Emit } from "../events.js";
import { connectRoom, roomConnection, roomExists, roomKeys } from "../redis/room-store.js";
import { forgetMembership, readMembership, saveMembership } from "../room/membership.js";
import { newAttendeeId, publishToRoom } from "../room/publish.js";
import { parseAttendeeName, parseRoomUrl } from "../room/room-url.js";
import { isDirectory } from "../workspace/fs.js";
import { labVersion } from "../workspace/paths.js";
import { assertUsableWorkspace } from "../workspace/workspace.js";

export interface JoinOptions {
  readonly url: string;
  readonly name: string | undefined;
  readonly dir: string;
  readonly emit: Emit;
}

/**
 * Joins a room: checks the room exists and that this lab may write to it (one "joined"
 * event), then remembers it in the workspace, so every check publishes its result there.
 * The workspace gets an attendee id of its own (its inbox in the room, which only it and the
 * board know); joining the same room again under the same name keeps it.
 */
export async function join(options: JoinOptions): Promise<{ room: string; name: string }> {
  const address = parseRoomUrl(options.url);
  const name = parseAttendeeName(options.name);
  await assertUsableWorkspace(options.dir, false);
  const before = await readMembership(options.dir);
  const id =
    before?.id && before.room === address.room && before.name === name
      ? before.id
      : newAttendeeId();
  const client = roomConnection(address.redisUrl, { retry: false });
  try {
    await connectRoom(client, address.redisUrl);
    if (!(await roomExists(client, roomKeys(address.room)).catch(() => true))) {
      throw new UsageError(
        `There is no room called "${address.room}" in that Redis.`,
        "Check the room name after # in the line your instructor gave you (the board must be running).",
      );
    }
  } finally {
    client.disconnect();
  }
  await publishToRoom(
    options.url,
    { type: "joined", name, at: new Date().toISOString(), version: labVersion },
    id,
  ).catch((error: Error) => {
    throw new UsageError(
      `The room "${address.room}" refused this lab's first message (${error.message}).`,
      "Ask your instructor for the attendee line of the room (its user may append to the room).",
    );
  });
  await saveMembership(options.dir, {
    url: options.url,
    room: address.room,
    name,
    id,
    joinedAt: new Date().toISOString(),
  });
  options.emit({ type: "room:joined", room: address.room, name });
  return { room: address.room, name };
}

/** Forgets the room this workspace joined. */
export async function leave(options: { dir: string; emit: Emit }): Promise<boolean> {
  const room = (await isDirectory(options.dir))
    ? (await readMembership(options.dir))?.room
    : undefined;
  if (room) await forgetMembership(options.dir);
  options.emit({ type: "room:left", room });
  return room !== undefined;
}
