import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/commands/check.js";
import { redisAnswers } from "../../src/redis/inspect.js";
import { findExercise } from "../../src/workspace/catalogue.js";
import { labRunOptions, tempDir } from "../support/lab.js";

/** The folders of this process's clusters still in the temp folder (other tests' are not ours). */
async function ourClusterDirs(): Promise<string[]> {
  const names = (await readdir(tmpdir())).filter((n) => n.startsWith("session-lab-cluster-"));
  const ours: string[] = [];
  for (const name of names) {
    const owner = await readFile(join(tmpdir(), name, "owner.json"), "utf8").catch(() => "{}");
    if ((JSON.parse(owner) as { pid?: number }).pid === process.pid) ours.push(name);
  }
  return ours;
}

describe("exercise 06 against the lab's own Redis Cluster", () => {
  it("a cluster-aware app whose one DEL spans a user's keys in several slots fails with crossslot", async () => {
    const exercise = await findExercise("06-redis-cluster");
    await using dir = await tempDir();
    // Half done, as an attendee leaves it: the cluster client, but session ids without the user's hash tag.
    const solution = await readFile(join(exercise.solutionDir, "app.mjs"), "utf8");
    const halfDone = solution.replace(/genid: \(req\) => `[^`]*`,/, "genid: () => randomUUID(),");
    expect(halfDone).not.toBe(solution);
    await mkdir(join(dir.path, exercise.id), { recursive: true });
    await writeFile(join(dir.path, exercise.id, "app.mjs"), halfDone);

    const report = await check(labRunOptions(dir.path, { exercise: exercise.id }));

    expect(report.exitCode).toBe(1);
    const byId = Object.fromEntries(report.scenarios.map((s) => [s.id, s]));
    expect(byId["cluster-sessions"]?.status).toBe("pass");
    expect(byId["cluster-logout"]).toMatchObject({ status: "fail", causeId: "crossslot" });
    expect(byId["cluster-logout"]?.evidence?.[0]).toMatch(
      /^the app was told: CROSSSLOT Keys in request don't hash to the same slot/,
    );
    expect(byId["logout-one"]?.status).toBe("pass");
    expect(report.causeId).toBe("crossslot");
    // The cluster is gone: its nodes stopped, the folder of their nodes-*.conf files removed.
    const nodes = /Redis Cluster of 6 nodes on :(\d+)–:(\d+)/.exec(report.target.redis ?? "");
    expect(nodes).not.toBeNull();
    const [from, to] = [Number(nodes?.[1]), Number(nodes?.[2])];
    for (let port = from; port <= to; port++)
      expect(await redisAnswers(`redis://127.0.0.1:${port}`, 300)).toBe(false);
    expect(await ourClusterDirs()).toEqual([]);
  }, 60_000);

  it("a cluster client that follows no redirection passes until a slot moves, then fails with redirect-not-followed", async () => {
    const exercise = await findExercise("06-redis-cluster");
    await using dir = await tempDir();
    const solution = await readFile(join(exercise.solutionDir, "app.mjs"), "utf8");
    const pinned = solution.replace(
      "new Cluster(nodes)",
      "new Cluster(nodes, { maxRedirections: 0 })",
    );
    expect(pinned).not.toBe(solution);
    await mkdir(join(dir.path, exercise.id), { recursive: true });
    await writeFile(join(dir.path, exercise.id, "app.mjs"), pinned);

    const report = await check(labRunOptions(dir.path, { exercise: exercise.id }));

    const byId = Object.fromEntries(report.scenarios.map((s) => [s.id, s]));
    expect(byId["cluster-sessions"]?.status).toBe("pass");
    expect(byId["cluster-resharding"]).toMatchObject({
      status: "fail",
      causeId: "redirect-not-followed",
    });
    expect(byId["cluster-resharding"]?.evidence?.[0]).toMatch(
      /^the app was told: ASK \d+ 127\.0\.0\.1:\d+$/,
    );
    expect(byId["cluster-logout"]?.status).toBe("pass");
    expect(report.causeId).toBe("redirect-not-followed");
    expect(await ourClusterDirs()).toEqual([]);
  }, 60_000);
});
