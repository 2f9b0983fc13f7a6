import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureDir } from "../workspace/fs.js";
import { labDir } from "../workspace/paths.js";

/** The room a workspace has joined: where it publishes every check, and as whom. */
export interface Membership {
  /** The room URL as pasted (the attendee's credentials, the room after #). */
  readonly url: string;
  readonly room: string;
  readonly name: string;
  /**
   * Who this workspace is in the room: the name of its inbox there, known only to it and to
   * the board. Missing in a file written before inboxes (one is then made on the next check).
   */
  readonly id?: string;
  readonly joinedAt: string;
}

function roomFile(workspace: string): string {
  return join(labDir(workspace), "room.json");
}

/** The room this workspace joined, or undefined. */
export async function readMembership(workspace: string): Promise<Membership | undefined> {
  try {
    const parsed = JSON.parse(await readFile(roomFile(workspace), "utf8")) as Membership;
    return parsed.url && parsed.room && parsed.name ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function saveMembership(workspace: string, membership: Membership): Promise<void> {
  await ensureDir(labDir(workspace));
  await writeFile(roomFile(workspace), `${JSON.stringify(membership, null, 2)}\n`, { mode: 0o600 });
}

/** Forgets the room; false when there was none. */
export async function forgetMembership(workspace: string): Promise<boolean> {
  const had = (await readMembership(workspace)) !== undefined;
  await rm(roomFile(workspace), { force: true });
  return had;
}
