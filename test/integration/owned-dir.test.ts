import { spawn } from "node:child_process";
import { once } from "node:events";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processStartTime } from "../../src/processes/process-info.js";
import { startClusterRedis } from "../../src/redis/cluster-redis.js";
import { SENTINEL_DIR_PREFIX, startSentinelRedis } from "../../src/redis/sentinel-redis.js";

/** A folder as a set-up of the lab's would leave it, owned by `owner`. */
async function folder(prefix: string, owner: { pid: number; start: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, "owner.json"), JSON.stringify(owner));
  await writeFile(join(dir, "node.conf"), "");
  return dir;
}

/** The owner of a lab that is gone: a process that ran, and was SIGKILLed. */
async function goneOwner(): Promise<{ pid: number; start: string }> {
  const gone = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
  const pid = gone.pid as number;
  const start = (await processStartTime(pid)) ?? "x";
  gone.kill("SIGKILL");
  await once(gone, "exit");
  return { pid, start };
}

describe("the files of the lab's own Redis set-ups after a killed run", () => {
  it.each([
    ["a Cluster (06)", "session-lab-cluster-", () => startClusterRedis(process.env)],
    ["a Sentinel set-up (05)", SENTINEL_DIR_PREFIX, () => startSentinelRedis(process.env)],
  ])(
    "%s: the next one removes the folder a killed lab left, never one whose lab still runs",
    async (_name, prefix, startSetUp) => {
      const orphan = await folder(prefix, await goneOwner());
      const alive = await folder(prefix, {
        pid: process.pid,
        start: (await processStartTime(process.pid)) ?? "",
      });
      try {
        const redis = await startSetUp();
        await redis.close();
        await expect(access(orphan)).rejects.toThrow();
        await expect(access(join(alive, "node.conf"))).resolves.toBeUndefined();
      } finally {
        await rm(orphan, { recursive: true, force: true });
        await rm(alive, { recursive: true, force: true });
      }
    },
    40_000,
  );
});
