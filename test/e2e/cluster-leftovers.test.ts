import { access, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { redisAnswers } from "../../src/redis/inspect.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";
import { markedProcesses } from "../support/leak-guard.js";

/** The folder of the nodes' files of the cluster started by the lab with this pid. */
async function clusterDirOf(pid: number | undefined): Promise<string | undefined> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith("session-lab-cluster-")) continue;
    const owner = await readFile(join(tmpdir(), name, "owner.json"), "utf8").catch(() => "{}");
    if ((JSON.parse(owner) as { pid?: number }).pid === pid) return join(tmpdir(), name);
  }
  return undefined;
}

const nodePorts = (from: number) => Array.from({ length: 6 }, (_, i) => from + i);
const answering = async (ports: number[]) =>
  (await Promise.all(ports.map((p) => redisAnswers(`redis://127.0.0.1:${p}`, 300)))).filter(Boolean)
    .length;

describe("exercise 06's Redis Cluster after the lab is SIGKILLed", () => {
  it("the next check stops the six nodes the killed one left and removes their files", async () => {
    await using dir = await tempDir();
    const first = runCli(["check", "06"], { cwd: dir.path });
    const [, from] = await first.waitForOutput(/Redis Cluster of 6 nodes on :(\d+)–:(\d+)/, 30_000);
    await first.waitForOutput(/✔ boot/, 30_000);
    first.child.kill("SIGKILL");
    await first.exited;
    const ports = nodePorts(Number(from));
    // The nodes outlived the lab, and so did their nodes-*.conf files.
    expect(await answering(ports)).toBe(6);
    const left = await clusterDirOf(first.child.pid);
    expect(left).toBeDefined();
    expect((await readdir(left as string)).filter((f) => /^nodes-\d+\.conf$/.test(f))).toHaveLength(
      6,
    );

    const second = await runCli(["check", "06"], { cwd: dir.path }).exited;
    expect(second.output).toMatch(
      /⚠ Stopped pid \d+ \(redis-server --port \d+\), left running by an earlier run that was killed\./,
    );
    expect(second.code, `${first.output()}\n----\n${second.output}`).toBe(1);
    expect(await answering(ports)).toBe(0);
    await expect(access(left as string)).rejects.toThrow();
    expect(await markedProcesses()).toEqual([]);
  }, 90_000);
});
