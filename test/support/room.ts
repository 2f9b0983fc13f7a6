import type { Redis } from "ioredis";
import { board } from "../../src/commands/board.js";
import type { LabEvent } from "../../src/events.js";
import type { SpawnedGroup } from "../../src/processes/spawn-group.js";
import { connectRoom, roomConnection } from "../../src/redis/room-store.js";
import { launchRedisServer } from "../../src/redis/server.js";
import { parseRoomUrl } from "../../src/room/room-url.js";
import { findFreePorts } from "./ports.js";

/**
 * A redis-server of the test's own, which the test may stop and start again on its port.
 * `extraArgs` go to redis-server (e.g. `--rename-command XLEN ""`: a Redis without streams).
 */
export async function ownRedis(extraArgs: readonly string[] = []) {
  const [port] = await findFreePorts(1);
  const url = `redis://127.0.0.1:${port}`;
  let server: SpawnedGroup | undefined;
  const start = async () => {
    server = await launchRedisServer(port as number, process.env, extraArgs);
    if (!server) throw new Error(`redis-server did not start on :${port}`);
  };
  // At once, as a crash would: no time to say goodbye to its clients.
  const stop = async () => {
    await server?.stop(0);
    server = undefined;
  };
  await start();
  return { url, port, start, stop, [Symbol.asyncDispose]: stop };
}

/** The board command running in this process on a free port, until disposed. */
export async function runBoard(
  redisUrl: string,
  room: string,
  extra: { createUser?: boolean; host?: string } = {},
) {
  const events: LabEvent[] = [];
  const controller = new AbortController();
  let readyResolve: (e: Extract<LabEvent, { type: "board:ready" }>) => void = () => {};
  const ready = new Promise<Extract<LabEvent, { type: "board:ready" }>>((r) => {
    readyResolve = r;
  });
  const done = board({
    redisUrl,
    room,
    host: extra.host ?? "127.0.0.1",
    port: 0,
    createUser: extra.createUser ?? false,
    exportTo: undefined,
    stuck: { sameCause: 3, minutes: 10 },
    emit: (e) => {
      events.push(e);
      if (e.type === "board:ready") readyResolve(e);
    },
    signal: controller.signal,
  });
  const banner = await Promise.race([
    ready,
    done.then(() => Promise.reject(new Error("board ended"))),
  ]);
  const state = async () => {
    const res = await fetch(new URL("state", banner.url));
    return (await res.json()) as {
      up: boolean;
      view: {
        tiles: { name: string; verdict: string; causeId: string }[];
        total: number;
        skipped: number;
      };
    };
  };
  return {
    banner,
    events,
    state,
    stop: async () => {
      controller.abort();
      await done;
    },
    async [Symbol.asyncDispose]() {
      controller.abort();
      await done.catch(() => {});
    },
  };
}

/** The room URL in a board's join line (`session-lab join "<url>" --name …`). */
export function joinUrl(line: string): string {
  return /session-lab join "([^"]+)"/.exec(line)?.[1] ?? "";
}

/**
 * A raw connection with the credentials of a room URL, as a mischievous attendee would open
 * one: every command the join line allows, none of the lab's code in between.
 */
export async function asAttendee(url: string) {
  const { redisUrl } = parseRoomUrl(url);
  const client = roomConnection(redisUrl, { retry: false, timeoutMs: 5000 });
  await connectRoom(client, redisUrl);
  return Object.assign(client, {
    [Symbol.asyncDispose]: async () => {
      client.disconnect();
    },
  });
}

/** Runs one raw command; its error message when Redis refused it, or "ok". */
export async function attempt(client: Redis, command: string, ...args: (string | number)[]) {
  return client.call(command, ...args).then(
    () => "ok",
    (error: Error) => error.message,
  );
}
