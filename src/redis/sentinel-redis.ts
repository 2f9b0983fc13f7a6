import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RedisUnavailableError } from "../errors.js";
import { pollUntil } from "../poll.js";
import { findFreePortRange } from "../processes/ports.js";
import { type SpawnedGroup, spawnGroup } from "../processes/spawn-group.js";
import { connectRedis, redisAnswers } from "./inspect.js";
import { ownedTempDir } from "./owned-dir.js";
import { HOW_TO_GET_REDIS, launchRedisServer, type RedisInUse } from "./server.js";
import type { FailoverControl } from "./topology.js";

/** The name the sentinels know the primary by (REDIS_MASTER_NAME). */
export const MASTER_NAME = "session-lab";
/** Short, so that a hung primary is failed over within seconds. */
const DOWN_AFTER_MS = 1000;
/** A sentinel waits twice this before it tries the same master again. */
const FAILOVER_TIMEOUT_MS = 2000;
const READY_MS = 15_000;
/** The folders of the set-up's files, one per lab, in the OS's temp folder. */
export const SENTINEL_DIR_PREFIX = "session-lab-sentinel-";

/**
 * A Sentinel set-up of the lab's own, from the redis-server binary: a primary, a replica and
 * three sentinels (quorum 2) on free ports, every process through spawnGroup (so teardown and
 * a run after a SIGKILL find them), their files in a folder removed at close (or, after a lab
 * that was killed, by the next set-up). The instances get REDIS_SENTINELS and
 * REDIS_MASTER_NAME; REDIS_URL names the first primary.
 */
export async function startSentinelRedis(
  env: NodeJS.ProcessEnv,
): Promise<RedisInUse & { failover: FailoverControl; env: Record<string, string> }> {
  const ports = (await findFreePortRange(5)) as [number, number, number, number, number];
  const [primaryPort, replicaPort, ...sentinelPorts] = ports;
  const dir = await ownedTempDir(SENTINEL_DIR_PREFIX);
  const groups: SpawnedGroup[] = [];
  const close = async () => {
    await Promise.all(groups.map((g) => g.stop(3000)));
    await rm(dir, { recursive: true, force: true });
  };
  const missing = () =>
    new RedisUnavailableError(
      "This exercise needs redis-server (with its Sentinel mode), to start a primary, a replica and three sentinels of the lab's own.",
      HOW_TO_GET_REDIS,
    );
  try {
    const primary = await launchRedisServer(primaryPort, env, ["--dir", dir]);
    if (!primary) throw missing();
    groups.push(primary);
    const replica = await launchRedisServer(replicaPort, env, [
      "--dir",
      dir,
      "--replicaof",
      "127.0.0.1",
      String(primaryPort),
    ]);
    if (!replica) throw missing();
    groups.push(replica);
    for (const port of sentinelPorts)
      groups.push(await launchSentinel(port, primaryPort, dir, env));
    const sentinelUrls = sentinelPorts.map((p) => `redis://127.0.0.1:${p}`);
    const answering = await pollUntil(
      async () => (await Promise.all(sentinelUrls.map((u) => redisAnswers(u, 300)))).every(Boolean),
      { timeoutMs: 5000, everyMs: 50 },
    );
    if (!answering) throw missing();

    const control = failoverControl(sentinelPorts.map((p) => `127.0.0.1:${p}`));
    // Each sentinel must know the replica and the two others, or a hung primary is never failed over.
    if (!(await control.waitForReplica(READY_MS)))
      throw new RedisUnavailableError(
        "The lab's Sentinel set-up did not come together (the sentinels did not find the replica and each other in time).",
        "Run `session-lab doctor`, and try again; DEBUG=session-lab shows more.",
      );
    const url = `redis://127.0.0.1:${primaryPort}`;
    return {
      url,
      label: url,
      source: `started its own: a primary on :${primaryPort}, a replica on :${replicaPort}, sentinels on ${sentinelPorts.map((p) => `:${p}`).join(", ")}`,
      env: {
        REDIS_SENTINELS: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(","),
        REDIS_MASTER_NAME: MASTER_NAME,
      },
      failover: control,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function launchSentinel(
  port: number,
  primaryPort: number,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<SpawnedGroup> {
  // A sentinel rewrites its configuration file: each gets one of its own.
  const file = join(dir, `sentinel-${port}.conf`);
  await writeFile(
    file,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      "",
    ].join("\n"),
  );
  return spawnGroup({
    file: "redis-server",
    args: [file, "--sentinel"],
    env,
    description: `redis-server --sentinel --port ${port}`,
    output: false,
  });
}

async function ask(url: string, ...args: string[]): Promise<unknown> {
  const client = await connectRedis(url, 1000);
  try {
    return await client.call(...(args as [string, ...string[]]));
  } finally {
    client.disconnect();
  }
}

function failoverControl(sentinels: readonly string[]): FailoverControl {
  const sentinelUrls = sentinels.map((a) => `redis://${a}`);
  const primaryOf = async (url: string) => {
    const reply = (await ask(url, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).catch(
      () => undefined,
    )) as string[] | null | undefined;
    return reply ? `${reply[0]}:${reply[1]}` : undefined;
  };
  const primary = async () => {
    const seen = await Promise.all(sentinelUrls.map(primaryOf));
    return seen.every((s) => s !== undefined && s === seen[0]) ? seen[0] : undefined;
  };
  /** The number of `SENTINEL <what>` entries a sentinel lists that are not flagged down or disconnected. */
  const healthy = async (url: string, what: string) => {
    const reply = (await ask(url, "SENTINEL", what, MASTER_NAME).catch(() => [])) as string[][];
    return reply.filter((fields) => {
      const flags = fields[fields.indexOf("flags") + 1] ?? "";
      return !/s_down|o_down|disconnected/.test(flags);
    }).length;
  };
  const replicaInSync = async (address: string) => {
    const info = String(await ask(`redis://${address}`, "INFO", "replication").catch(() => ""));
    return /role:master/.test(info) && /slave0:.*state=online/.test(info);
  };
  /** Whether every replica has acknowledged all the primary wrote (its offset, in INFO). */
  const caughtUp = async (address: string) => {
    const info = String(await ask(`redis://${address}`, "INFO", "replication").catch(() => ""));
    const own = /master_repl_offset:(\d+)/.exec(info)?.[1];
    const replicas = [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => m[1]);
    return own !== undefined && replicas.length > 0 && replicas.every((o) => o === own);
  };
  return {
    masterName: MASTER_NAME,
    sentinels,
    primary,
    async failover() {
      await ask(sentinelUrls[0] as string, "SENTINEL", "FAILOVER", MASTER_NAME);
    },
    async demote(old, now) {
      const [host, port] = now.split(":") as [string, string];
      const client = await connectRedis(`redis://${old}`, 1000);
      try {
        await client.call("REPLICAOF", host, port);
        // Writes a fence held back now meet READONLY, as every later one does.
        await client.call("CLIENT", "UNPAUSE");
        await client.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      } finally {
        client.disconnect();
      }
    },
    async fence(ms) {
      const address = await primary();
      if (!address) throw new Error("the sentinels do not agree on a primary");
      await ask(`redis://${address}`, "CLIENT", "PAUSE", String(ms), "WRITE");
      // What the primary took before the pause is on the replica before it is promoted.
      await pollUntil(async () => caughtUp(address), { timeoutMs: 3000, everyMs: 50 });
      return {
        primary: address,
        lift: async () => {
          await ask(`redis://${address}`, "CLIENT", "UNPAUSE").catch(() => {});
        },
      };
    },
    async hangPrimary(ms) {
      const address = await primary();
      if (!address) throw new Error("the sentinels do not agree on a primary");
      await ask(`redis://${address}`, "CLIENT", "PAUSE", String(ms), "ALL");
    },
    async waitForNewPrimary(old, timeoutMs, signal) {
      return pollUntil(
        async () => {
          const now = await primary();
          return now !== undefined && now !== old ? now : undefined;
        },
        { timeoutMs, everyMs: 100, ...(signal ? { signal } : {}) },
      );
    },
    async waitForReplica(timeoutMs, signal) {
      return pollUntil(
        async () => {
          const address = await primary();
          if (!address || !(await replicaInSync(address))) return false;
          for (const url of sentinelUrls) {
            if ((await healthy(url, "REPLICAS")) < 1) return false;
            if ((await healthy(url, "SENTINELS")) < sentinelUrls.length - 1) return false;
          }
          return true;
        },
        { timeoutMs, everyMs: 100, ...(signal ? { signal } : {}) },
      );
    },
  };
}
