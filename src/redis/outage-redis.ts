import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisUnavailableError } from "../errors.js";
import { findFreePortRange } from "../processes/ports.js";
import type { SpawnedGroup } from "../processes/spawn-group.js";
import { connectRedis } from "./inspect.js";
import {
  HOW_TO_GET_REDIS,
  launchRedisServer,
  type RedisControl,
  type RedisInUse,
} from "./server.js";

/**
 * A redis-server of the lab's own that keeps its data across a stop and a start (in a folder
 * of its own, removed at close), for the exercise about Redis outages: whatever Redis the
 * user has, this one the lab may take away.
 */
export async function startOutageRedis(
  env: NodeJS.ProcessEnv,
): Promise<RedisInUse & { control: RedisControl }> {
  const [port] = await findFreePortRange(1);
  const dir = await mkdtemp(join(tmpdir(), "session-lab-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let server: SpawnedGroup | undefined;
  const launch = async () => {
    // The same folder each time: SHUTDOWN SAVE writes the data there, the next start reads it.
    server = await launchRedisServer(port as number, env, ["--dir", dir]);
    if (!server) {
      throw new RedisUnavailableError(
        "This exercise needs redis-server, to start a Redis of the lab's own (it takes it away and brings it back).",
        HOW_TO_GET_REDIS,
      );
    }
  };
  const stop = async () => {
    if (!server) return;
    const client = await connectRedis(url).catch(() => undefined);
    // SHUTDOWN SAVE writes the data for the next start; the connection drops as it exits.
    await client?.call("SHUTDOWN", "SAVE").catch(() => {});
    client?.disconnect();
    await server.stop(3000);
    server = undefined;
  };
  await launch().catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url,
    label: url,
    source: `started its own: redis-server on :${port}, which this exercise takes away and brings back`,
    control: {
      async pause(ms) {
        const client = await connectRedis(url);
        try {
          await client.call("CLIENT", "PAUSE", String(ms), "ALL");
        } finally {
          client.disconnect();
        }
      },
      stop,
      start: launch,
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
