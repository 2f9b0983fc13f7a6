import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { LabError } from "../errors.js";
import type { Emit } from "../events.js";
import { untilAborted } from "../lab/cleanup-stack.js";
import {
  attendeeAclLine,
  connectRoom,
  ensureAttendeeUser,
  readAttendeePassword,
  roomConnection,
  roomKeys,
  saveAttendeePassword,
} from "../redis/room-store.js";
import { maskRedisUrl } from "../redis/url.js";
import { formatRoomUrl } from "../room/room-url.js";
import { openBoardFeed } from "../web/board-feed.js";
import { resultsCsv, type StuckRules } from "../web/board-model.js";
import { startBoardServer } from "../web/board-server.js";
import { isLoopback, reachableHosts } from "../web/hosts.js";
import { labVersion } from "../workspace/paths.js";

export interface BoardOptions {
  /** The instructor's Redis (their own credentials). */
  readonly redisUrl: string;
  readonly room: string;
  readonly host: string;
  readonly port: number;
  /** Create the ACL user attendees publish as (needs a user allowed ACL commands). */
  readonly createUser: boolean;
  /** Write the results as CSV to this file and stop, instead of serving the page. */
  readonly exportTo: string | undefined;
  readonly stuck: StuckRules;
  readonly emit: Emit;
  readonly signal: AbortSignal;
}

export interface BoardResult {
  readonly attendees: number;
  readonly url?: string;
}

/**
 * Opens (or resumes) a room in the instructor's Redis and serves its live page until the
 * signal: every attendee's latest check, the causes, who is stuck. With `exportTo`, writes
 * the results and stops.
 */
export async function board(options: BoardOptions): Promise<BoardResult> {
  const { emit } = options;
  let server: Awaited<ReturnType<typeof startBoardServer>> | undefined;
  let access: Awaited<ReturnType<typeof attendeeAccess>> | undefined;
  const feed = await openBoardFeed({
    redisUrl: options.redisUrl,
    room: options.room,
    version: labVersion,
    once: options.exportTo !== undefined,
    onEvent: (event) => emit({ type: "room:event", event }),
    onWarning: (message) => emit({ type: "warning", message }),
    onChange: () => server?.changed(),
    onStatus: (up) => {
      emit({ type: "board:redis", up });
      server?.status(up);
      // A Redis that restarted without its data lost the attendee user too: make it again.
      if (up && access?.access === "user-created")
        void attendeeAccess(options, access.password).catch(() => {});
    },
  });
  try {
    if (options.exportTo) {
      await writeFile(options.exportTo, resultsCsv(feed.state));
      emit({
        type: "board:exported",
        file: options.exportTo,
        attendees: feed.state.attendees.size,
      });
      return { attendees: feed.state.attendees.size };
    }
    access = await attendeeAccess(options);
    const redisHost = new URL(options.redisUrl).hostname;
    if (isLoopback(redisHost)) emit({ type: "warning", message: loopbackJoinWarning(redisHost) });
    if (!isLoopback(options.host)) {
      emit({
        type: "warning",
        message: `The board listens on ${options.host}: anyone on this network can read the page (names, verdicts and causes; never code).`,
      });
    }
    server = await startBoardServer({
      host: options.host,
      port: options.port,
      room: options.room,
      feed: () => feed,
      stuck: options.stuck,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE")
        throw new LabError(
          `Port ${options.port} is already in use, so the board cannot serve its page there.`,
          "Choose another with --port, e.g. --port 5051.",
        );
      throw error;
    });
    const { password: _password, ...shown } = { password: undefined, ...access };
    const port = server.port;
    emit({
      type: "board:ready",
      url: isLoopback(options.host) ? server.url : `http://127.0.0.1:${port}/`,
      elsewhere: reachableHosts(options.host).map((h) => `http://${h}:${port}/`),
      room: options.room,
      attendees: feed.state.attendees.size,
      ...shown,
    });
    await untilAborted(options.signal);
    return { attendees: feed.state.attendees.size, url: server.url };
  } finally {
    await server?.close();
    await feed.close();
  }
}

/** The join line names this machine: attendees' laptops would each look for a Redis of their own. */
function loopbackJoinWarning(host: string): string {
  return `The join line names ${host}, which only this machine can reach: give --redis-url an address attendees' laptops can reach (e.g. redis://<this machine's LAN address>:6379).`;
}

/**
 * How attendees publish: as an ACL user made for this room that may only add entries to
 * inboxes (created with --create-user, or printed as an ACL SETUSER line to run), so they
 * never hold the instructor's password. Its password is kept in the room's meta (which only
 * the board can read or write), so a restarted board prints the same join line, and leaves a
 * user that is already right as it is: attendees' credentials keep working.
 */
async function attendeeAccess(options: BoardOptions, knownPassword?: string) {
  const keys = roomKeys(options.room);
  const client = roomConnection(options.redisUrl, { retry: false });
  try {
    await connectRoom(client, options.redisUrl, "instructor");
    const user = `session-lab-${options.room}`;
    const password =
      knownPassword ??
      (await readAttendeePassword(client, keys)) ??
      randomBytes(12).toString("base64url");
    await saveAttendeePassword(client, keys, password);
    const line = attendeeAclLine(user, password, keys);
    const joinWith = (url: string) => `session-lab join "${url}" --name "<your name>"`;
    if (options.createUser) {
      try {
        await ensureAttendeeUser(client, line);
        return {
          access: "user-created" as const,
          password,
          joinLine: joinWith(formatRoomUrl(options.redisUrl, options.room, { user, password })),
        };
      } catch (error) {
        if (!/NOPERM|unknown command|no permissions/i.test((error as Error).message)) throw error;
      }
    }
    const supportsAcl = await client.call("ACL", "WHOAMI").then(
      () => true,
      (error: Error) => !/unknown command/i.test(error.message),
    );
    if (!supportsAcl) {
      return {
        access: "instructor-credentials" as const,
        joinLine: joinWith(formatRoomUrl(options.redisUrl, options.room)),
      };
    }
    return {
      access: "run-acl-line" as const,
      aclLine: `redis-cli -u ${maskRedisUrl(options.redisUrl)} ${line.map(quote).join(" ")}`,
      joinLine: joinWith(formatRoomUrl(options.redisUrl, options.room, { user, password })),
    };
  } finally {
    client.disconnect();
  }
}

/** A word for a POSIX shell: `>`, `~` and `*` (a password, key patterns) are quoted. */
function quote(word: string): string {
  return /^[\w:@.+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
