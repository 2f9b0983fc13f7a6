import { board } from "../../src/commands/board.js";
import type { LabEvent } from "../../src/events.js";
import type { SpawnedGroup } from "../../src/processes/spawn-group.js";
import { launchRedisServer } from "../../src/redis/server.js";
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
  extra: { createUser?: boolean } = {},
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
    host: "127.0.0.1",
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
