import { spawn } from "node:child_process";
import { once } from "node:events";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processStartTime } from "../../src/processes/process-info.js";
import { startClusterRedis } from "../../src/redis/cluster-redis.js";
import { connectRedis, redisAnswers } from "../../src/redis/inspect.js";

describe("the lab's own Redis Cluster (exercise 06)", () => {
  it("comes up with three primaries and three replicas, and leaves nothing running", async () => {
    const started = performance.now();
    const redis = await startClusterRedis(process.env);
    try {
      expect(redis.nodes).toHaveLength(6);
      expect(redis.env.REDIS_CLUSTER_NODES?.split(",")).toHaveLength(6);
      const client = await connectRedis(redis.url);
      try {
        const nodes = String(await client.call("CLUSTER", "NODES"));
        const roles = nodes
          .trim()
          .split("\n")
          .map((line) => (line.split(" ")[2] ?? "").replace("myself,", ""));
        expect(roles.filter((r) => r === "master")).toHaveLength(3);
        expect(roles.filter((r) => r === "slave")).toHaveLength(3);
        // A plain client meets MOVED for a key another primary owns.
        const moved = await Promise.all(
          ["a", "b", "c", "d"].map((k) =>
            client.get(`session-lab:${k}`).catch((e: Error) => e.message),
          ),
        );
        expect(moved.some((m) => typeof m === "string" && m.startsWith("MOVED"))).toBe(true);
      } finally {
        client.disconnect();
      }
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      await redis.close();
    }
    for (const node of redis.nodes) expect(await redisAnswers(`redis://${node}`, 300)).toBe(false);
  }, 40_000);

  it("removes the nodes' folder a killed lab left, never one whose lab still runs", async () => {
    const folder = async (owner: { pid: number; start: string }) => {
      const dir = await mkdtemp(join(tmpdir(), "session-lab-cluster-"));
      await writeFile(join(dir, "owner.json"), JSON.stringify(owner));
      await writeFile(join(dir, "nodes-7000.conf"), "");
      return dir;
    };
    // A lab that is gone: a process that ran, and ended.
    const gone = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], {
      stdio: "ignore",
    });
    const gonePid = gone.pid as number;
    const goneStart = await processStartTime(gonePid);
    gone.kill("SIGKILL");
    await once(gone, "exit");
    const orphan = await folder({ pid: gonePid, start: goneStart ?? "x" });
    const alive = await folder({
      pid: process.pid,
      start: (await processStartTime(process.pid)) ?? "",
    });
    try {
      const redis = await startClusterRedis(process.env);
      await redis.close();
      await expect(access(orphan)).rejects.toThrow();
      await expect(access(join(alive, "nodes-7000.conf"))).resolves.toBeUndefined();
    } finally {
      await rm(orphan, { recursive: true, force: true });
      await rm(alive, { recursive: true, force: true });
    }
  }, 40_000);
});
