import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { check } from "../../src/commands/check.js";
import { list } from "../../src/commands/list.js";
import { solution } from "../../src/commands/solution.js";
import { UsageError } from "../../src/errors.js";
import type { LabEvent } from "../../src/events.js";
import { connectRedis } from "../../src/redis/inspect.js";
import { findExercise, listExercises } from "../../src/workspace/catalogue.js";
import { loadState, sessionPrefix } from "../../src/workspace/state.js";
import { prepareExercise } from "../../src/workspace/workspace.js";
import { labRunOptions, resetWith, tempDir } from "../support/lab.js";

const exercise = await findExercise("01");
const starter = await readFile(join(exercise.starterDir, "app.mjs"));

async function editedWorkspace(dir: string): Promise<{ entry: string; edited: string }> {
  const prepared = await prepareExercise(dir, exercise, () => {});
  const edited = `${starter.toString()}\n// my work ${randomBytes(4).toString("hex")}\n`;
  await writeFile(prepared.entry, edited);
  await writeFile(join(prepared.dir, "notes.txt"), "my own file\n");
  return { entry: prepared.entry, edited };
}

describe("reset", () => {
  it("backs up the attendee's files byte for byte, restores the starter byte for byte, and undo brings the work back", async () => {
    await using dir = await tempDir();
    const { entry, edited } = await editedWorkspace(dir.path);
    await mkdir(join(dir.path, exercise.id, "sessions", "5001"), { recursive: true });
    await writeFile(join(dir.path, exercise.id, "sessions", "5001", "x.json"), "{}");

    const { result, events } = await resetWith(dir.path);
    expect(result.changed).toBe(true);
    expect(await readFile(entry)).toEqual(starter);
    await expect(stat(join(dir.path, exercise.id, "notes.txt"))).rejects.toThrow();
    await expect(stat(join(dir.path, exercise.id, "sessions"))).rejects.toThrow();
    const backup = result.backup as string;
    expect(await readFile(join(backup, exercise.id, "app.mjs"), "utf8")).toBe(edited);
    expect(await readFile(join(backup, exercise.id, "notes.txt"), "utf8")).toBe("my own file\n");
    // Session files are the lab's data, not the attendee's work: not backed up.
    await expect(stat(join(backup, exercise.id, "sessions"))).rejects.toThrow();
    expect(events.map((e) => e.type)).toEqual([
      "backup:created",
      "exercise:restored",
      "redis:cleaned",
    ]);

    const undone = await resetWith(dir.path, { undo: true });
    expect(undone.result.restored).toEqual([exercise.id]);
    expect(await readFile(entry, "utf8")).toBe(edited);
    expect(await readFile(join(dir.path, exercise.id, "notes.txt"), "utf8")).toBe("my own file\n");
    // The undo backed up the starter it replaced, so it can be undone too.
    expect((await readdir(join(dir.path, ".session-lab", "backups"))).length).toBe(2);
  });

  it("removes only the lab's keys: another app's keys and other prefixes survive", async () => {
    await using dir = await tempDir();
    await editedWorkspace(dir.path);
    const state = await loadState(dir.path);
    const ours = sessionPrefix(state, exercise.id);
    const tag = randomBytes(4).toString("hex");
    const redis = await connectRedis(inject("redisUrl"));
    try {
      const survivors = [
        `sess:${tag}`, // another app's sessions
        `session-lab:other${tag}:01-shared-sessions:abc`, // another workspace
        `${ours.slice(0, -1)}x:${tag}`, // a prefix that only starts like ours
        `*${ours}${tag}`, // glob characters around our prefix
      ];
      const doomed = Array.from({ length: 1200 }, (_, i) => `${ours}${tag}-${i}`);
      await redis.mset(...[...survivors, ...doomed].flatMap((k) => [k, "v"]));

      const { result } = await resetWith(dir.path);
      expect(result.keysRemoved).toBe(1200);
      expect(await redis.exists(...doomed)).toBe(0);
      expect(await redis.exists(...survivors)).toBe(survivors.length);
      await redis.del(...survivors);
    } finally {
      redis.disconnect();
    }
  });

  it("works with an ACL user that may not FLUSHDB, and never prints its password", async () => {
    await using dir = await tempDir();
    await editedWorkspace(dir.path);
    const state = await loadState(dir.path);
    const user = `lab${randomBytes(3).toString("hex")}`;
    const password = `pw-${randomBytes(6).toString("hex")}`;
    const admin = await connectRedis(inject("redisUrl"));
    try {
      await admin.call(
        "ACL",
        "SETUSER",
        user,
        "on",
        `>${password}`,
        "~*",
        "+@all",
        "-flushdb",
        "-flushall",
      );
      await admin.set(`${sessionPrefix(state, exercise.id)}k`, "v");
      const url = new URL(inject("redisUrl"));
      url.username = user;
      url.password = password;
      const { result, events } = await resetWith(dir.path, { redisUrl: url.toString() });
      expect(result.keysRemoved).toBe(1);
      expect(JSON.stringify(events)).not.toContain(password);
      expect(JSON.stringify(events)).toContain(`${user}:***@`);
    } finally {
      await admin.call("ACL", "DELUSER", user);
      admin.disconnect();
    }
  });

  it("refuses without a terminal and without --yes, changing nothing", async () => {
    await using dir = await tempDir();
    const { entry, edited } = await editedWorkspace(dir.path);
    await expect(resetWith(dir.path, { yes: false })).rejects.toThrow(UsageError);
    expect(await readFile(entry, "utf8")).toBe(edited);
  });

  it("asks on a terminal, and a no changes nothing", async () => {
    await using dir = await tempDir();
    const { entry, edited } = await editedWorkspace(dir.path);
    const questions: string[] = [];
    const { result } = await resetWith(dir.path, {
      yes: false,
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    expect(result.changed).toBe(false);
    expect(questions[0]).toMatch(
      /^Reset 01-shared-sessions in .* to the starter\? Your files are backed up first\.$/,
    );
    expect(await readFile(entry, "utf8")).toBe(edited);
  });

  it("--all resets every exercise and removes the session keys of each, nothing else", async () => {
    await using dir = await tempDir();
    const { entry } = await editedWorkspace(dir.path);
    const state = await loadState(dir.path);
    const redis = await connectRedis(inject("redisUrl"));
    try {
      const other = `session-lab:someone-else-${randomBytes(3).toString("hex")}:x`;
      await redis.mset(`${sessionPrefix(state, exercise.id)}k`, "v", other, "v");
      const { result } = await resetWith(dir.path, { all: true });
      expect(result.restored).toEqual((await listExercises()).map((e) => e.id));
      expect(result.keysRemoved).toBe(1);
      expect(await redis.exists(other)).toBe(1);
      await redis.del(other);
    } finally {
      redis.disconnect();
    }
    expect(await readFile(entry)).toEqual(starter);
  });

  it("says there is nothing to undo when there is no backup", async () => {
    await using dir = await tempDir();
    await editedWorkspace(dir.path);
    await expect(resetWith(dir.path, { undo: true })).rejects.toThrow(
      "There is no backup to undo.",
    );
  });
});

describe("solution, list and progress", () => {
  it("shows the starter-to-solution diff, and --apply writes it after a backup", async () => {
    await using dir = await tempDir();
    const { edited } = await editedWorkspace(dir.path);
    const events: LabEvent[] = [];
    const shown = await solution({
      exercise: undefined,
      dir: dir.path,
      apply: false,
      emit: (e) => events.push(e),
    });
    expect(shown.changed).toEqual(["app.mjs"]);
    const diff = events.find((e) => e.type === "diff");
    expect(diff?.type === "diff" && diff.lines).toContain(
      '+import { RedisStore } from "connect-redis";',
    );
    expect(diff?.type === "diff" && diff.lines).toContain(
      '-import sessionFileStore from "session-file-store";',
    );

    const applied = await solution({
      exercise: undefined,
      dir: dir.path,
      apply: true,
      emit: () => {},
    });
    expect(await readFile(join(dir.path, exercise.id, "app.mjs"), "utf8")).toBe(
      await readFile(join(exercise.solutionDir, "app.mjs"), "utf8"),
    );
    expect(await readFile(join(applied.backup as string, exercise.id, "app.mjs"), "utf8")).toBe(
      edited,
    );
  });

  it("lists exercises as not started, in progress, failing and passed", async () => {
    await using dir = await tempDir();
    const states = async () => (await list({ dir: dir.path, emit: () => {} }))[0]?.state;
    expect(await states()).toBe("not started");
    await prepareExercise(dir.path, exercise, () => {});
    expect(await states()).toBe("in progress");
    const run = () => check(labRunOptions(dir.path));
    await run();
    expect(await states()).toBe("failing");
    await solution({ exercise: undefined, dir: dir.path, apply: true, emit: () => {} });
    expect((await run()).verdict).toBe("pass");
    expect(await states()).toBe("passed");
  });
});
