import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { solution } from "../../src/commands/solution.js";
import { UsageError } from "../../src/errors.js";
import type { LabEvent } from "../../src/events.js";
import { connectRedis } from "../../src/redis/inspect.js";
import { LARGE_FILE_BYTES, MAX_BACKUPS } from "../../src/workspace/backup.js";
import { findExercise } from "../../src/workspace/catalogue.js";
import { loadState, sessionPrefix, workspacePrefix } from "../../src/workspace/state.js";
import { prepareExercise } from "../../src/workspace/workspace.js";
import { resetWith, tempDir } from "../support/lab.js";

const exercise = await findExercise("01");
const MY_WORK = "// my own work, kept in my repository\n";

/** A workspace whose exercise folder is a link to a folder elsewhere (a repository). */
async function linkedWorkspace(root: string) {
  const workspace = join(root, "workshop");
  const repo = join(root, "repo", "ex01");
  await mkdir(workspace, { recursive: true });
  await mkdir(repo, { recursive: true });
  await symlink(repo, join(workspace, exercise.id));
  await prepareExercise(workspace, exercise, () => {});
  await writeFile(join(repo, "app.mjs"), MY_WORK);
  return { workspace, repo };
}

describe("nothing is lost", () => {
  it("solution --apply through a linked exercise folder backs up the real files, and undo puts them back there", async () => {
    await using dir = await tempDir();
    const { workspace, repo } = await linkedWorkspace(dir.path);
    const events: LabEvent[] = [];
    const applied = await solution({
      exercise: undefined,
      dir: workspace,
      apply: true,
      emit: (e) => events.push(e),
    });
    expect(events.find((e) => e.type === "warning")).toMatchObject({
      message: expect.stringContaining(`is a link to ${repo}`),
    });
    expect(await readFile(join(applied.backup as string, exercise.id, "app.mjs"), "utf8")).toBe(
      MY_WORK,
    );
    expect(await readFile(join(repo, "app.mjs"), "utf8")).not.toBe(MY_WORK);

    const undone = await resetWith(workspace, { undo: true });
    expect(undone.result.restored).toEqual([exercise.id]);
    expect(await readFile(join(repo, "app.mjs"), "utf8")).toBe(MY_WORK);
    expect((await lstat(join(workspace, exercise.id))).isSymbolicLink()).toBe(true);
  });

  it("undo says so when the newest backup holds no exercise files, instead of succeeding on nothing", async () => {
    await using dir = await tempDir();
    await prepareExercise(dir.path, exercise, () => {});
    const empty = join(dir.path, ".session-lab", "backups", "2099-01-01T00-00-00-000Z");
    await mkdir(empty, { recursive: true });
    const error = await resetWith(dir.path, { undo: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/holds no exercise files/);
  });

  it("keeps links as links (relative ones relative), modes and timestamps in a backup", async () => {
    await using dir = await tempDir();
    const prepared = await prepareExercise(dir.path, exercise, () => {});
    const script = join(prepared.dir, "run.sh");
    await writeFile(script, "#!/bin/sh\necho hi\n");
    await chmod(script, 0o751);
    const past = new Date("2024-05-06T07:08:09Z");
    await utimes(script, past, past);
    await symlink("run.sh", join(prepared.dir, "run-link"));

    const { result } = await resetWith(dir.path);
    const saved = join(result.backup as string, exercise.id);
    expect(await readlink(join(saved, "run-link"))).toBe("run.sh");
    const info = await stat(join(saved, "run.sh"));
    expect(info.mode & 0o777).toBe(0o751);
    expect(info.mtime.toISOString()).toBe(past.toISOString());
  });

  it(`keeps the newest ${MAX_BACKUPS} backups and says when older ones are pruned`, async () => {
    await using dir = await tempDir();
    await prepareExercise(dir.path, exercise, () => {});
    let pruned = 0;
    for (let i = 0; i < MAX_BACKUPS + 2; i++) {
      const { events } = await resetWith(dir.path);
      const created = events.find((e) => e.type === "backup:created");
      pruned += created?.type === "backup:created" ? created.pruned : 0;
    }
    expect(await readdir(join(dir.path, ".session-lab", "backups"))).toHaveLength(MAX_BACKUPS);
    expect(pruned).toBe(2);
  });

  it("does not copy a 200 MB file into every backup: reset moves it into one, apply leaves it", async () => {
    await using dir = await tempDir();
    const prepared = await prepareExercise(dir.path, exercise, () => {});
    const big = join(prepared.dir, "dump.bin");
    // Sparse: 200 MB to the lab, nothing on the disk.
    await writeFile(big, "");
    await truncate(big, 200 * 1024 * 1024);

    const events: LabEvent[] = [];
    const applied = await solution({
      exercise: undefined,
      dir: dir.path,
      apply: true,
      emit: (e) => events.push(e),
    });
    expect(events.find((e) => e.type === "backup:created")).toMatchObject({
      large: [{ file: join(exercise.id, "dump.bin"), how: "left" }],
    });
    await expect(stat(join(applied.backup as string, exercise.id, "dump.bin"))).rejects.toThrow();
    expect((await stat(big)).size).toBe(200 * 1024 * 1024);

    const { result } = await resetWith(dir.path);
    const moved = join(result.backup as string, exercise.id, "dump.bin");
    expect((await stat(moved)).size).toBe(200 * 1024 * 1024);
    await expect(stat(big)).rejects.toThrow();
    expect(LARGE_FILE_BYTES).toBeLessThan(200 * 1024 * 1024);
  });

  it("reset --all removes the session keys of this workspace's exercises, nothing else under its id", async () => {
    await using dir = await tempDir();
    await prepareExercise(dir.path, exercise, () => {});
    const state = await loadState(dir.path);
    const session = `${sessionPrefix(state, exercise.id)}abc`;
    const other = `${workspacePrefix(state)}notes-of-the-attendee`;
    const redis = await connectRedis(inject("redisUrl"));
    try {
      await redis.set(session, "1");
      await redis.set(other, "2");
      const { result } = await resetWith(dir.path, { all: true });
      expect(result.keysRemoved).toBe(1);
      expect(await redis.exists(session)).toBe(0);
      expect(await redis.get(other)).toBe("2");
    } finally {
      await redis.del(other);
      redis.disconnect();
    }
  });
});
