import { execFileSync, spawn } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { findExercise } from "../../src/workspace/catalogue.js";
import { prepareExercise } from "../../src/workspace/workspace.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";

const exercise = await findExercise("01");
const starter = await readFile(join(exercise.starterDir, "app.mjs"), "utf8");
const WORK = "\n// my work: every one of the files below is mine too\n";
/** Enough files that a backup takes a while: two resets started together overlap. */
const FILES = 600;

/** An exercise folder with the attendee's edit and FILES files of their own. */
async function workspaceWithWork(root: string): Promise<string> {
  const prepared = await prepareExercise(root, exercise, () => {});
  await writeFile(prepared.entry, starter + WORK);
  await mkdir(join(prepared.dir, "notes"), { recursive: true });
  await Promise.all(
    Array.from({ length: FILES }, (_, i) =>
      writeFile(join(prepared.dir, "notes", `note-${i}.txt`), `note ${i}\n`.repeat(50)),
    ),
  );
  return prepared.dir;
}

/** What a copy of the exercise holds: "work" (all of it), "starter", or "partial". */
async function contentOf(dir: string): Promise<"work" | "starter" | "partial"> {
  const app = await readFile(join(dir, "app.mjs"), "utf8").catch(() => "");
  const notes = await readdir(join(dir, "notes")).catch(() => [] as string[]);
  if (app === starter + WORK && notes.length === FILES) return "work";
  if (app === starter && notes.length === 0) return "starter";
  return "partial";
}

const backupsOf = (workspace: string) => join(workspace, ".session-lab", "backups");

function reset(workspace: string, ...extra: string[]) {
  return runCli(
    ["reset", "--yes", "--dir", workspace, "--redis-url", inject("redisUrl"), ...extra],
    {
      cwd: workspace,
    },
  );
}

/** A real process that holds the workspace's reset lock (for `doing`) until it is killed. */
async function lockHolder(workspace: string, doing = "reset") {
  const lockModule = join(import.meta.dirname, "../../dist/workspace/reset-lock.js");
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { lockWorkspace } = await import(${JSON.stringify(lockModule)});
       await lockWorkspace(${JSON.stringify(workspace)}, ${JSON.stringify(doing)});
       console.log("locked");
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  await Promise.race([
    new Promise<void>((resolve) =>
      child.stdout?.on("data", (d) => String(d).includes("locked") && resolve()),
    ),
    exited.then(() => {
      throw new Error("the lock holder exited before it took the lock");
    }),
  ]);
  return {
    pid: child.pid as number,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

describe("backups and reset, when things go wrong", () => {
  it("two resets at once: one runs, the other names it and changes nothing; every backup is complete and undo brings all the work back", async () => {
    for (let trial = 0; trial < 3; trial++) {
      await using dir = await tempDir();
      await workspaceWithWork(dir.path);
      const [a, b] = [reset(dir.path), reset(dir.path)];
      const runs = await Promise.all([a.exited, b.exited]);
      const pids = [a.child.pid, b.child.pid];
      runs.forEach((run, i) => {
        if (run.code === 0) return;
        // The one that lost says which process is resetting, as one sentence, exit 2.
        expect(run.output).toMatch(new RegExp(`Another reset is running \\(pid ${pids[1 - i]}\\)`));
        expect(run.code).toBe(2);
      });
      expect(runs.some((r) => r.code === 0)).toBe(true);
      expect(await contentOf(join(dir.path, exercise.id))).toBe("starter");

      // No backup is ever partial, and none is left half-written.
      const names = await readdir(backupsOf(dir.path));
      expect(names.filter((n) => n.startsWith("."))).toEqual([]);
      const kinds = await Promise.all(
        names.sort().map((n) => contentOf(join(backupsOf(dir.path), n, exercise.id))),
      );
      expect(kinds).not.toContain("partial");
      expect(kinds[0]).toBe("work");

      if (runs.some((r) => r.code === 2)) {
        // The newest backup is the attendee's work: undo puts all of it back.
        expect(kinds).toEqual(["work"]);
        const undo = await reset(dir.path, "--undo").exited;
        expect(undo.code).toBe(0);
        expect(await contentOf(join(dir.path, exercise.id))).toBe("work");
      }
    }
  }, 60_000);

  it.each(["+i", "+a"] as const)(
    "a file that cannot be removed (chattr %s as root, a read-only folder otherwise) stops reset before it removes or backs up anything",
    async (attribute) => {
      await using dir = await tempDir();
      const folder = await workspaceWithWork(dir.path);
      // A first reset and undo: there is a complete backup of the work to fall back on.
      expect((await reset(dir.path).exited).code).toBe(0);
      expect((await reset(dir.path, "--undo").exited).code).toBe(0);
      const before = (await readdir(backupsOf(dir.path))).sort();

      await using _locked = await unremovableFile(join(folder, "notes"), "note-7.txt", attribute);
      const run = await reset(dir.path).exited;
      expect(run.code).toBe(2);
      // As root the immutable file is named; otherwise its read-only folder.
      expect(run.output).toMatch(
        /notes(\/note-7\.txt)? cannot be removed: .*Reset changed nothing\./,
      );
      expect(run.output).not.toMatch(/at .*\.js:\d+/);
      // Nothing removed, nothing backed up: the newest backup is still the last complete one.
      expect(await contentOf(folder)).toBe("work");
      expect((await readdir(backupsOf(dir.path))).sort()).toEqual(before);
    },
  );

  it("a backup that fails half-way (a socket it cannot copy) is never a backup: nothing changes and undo still has the complete one", async () => {
    await using dir = await tempDir();
    const folder = await workspaceWithWork(dir.path);
    // A first reset makes a complete backup of the work; then the attendee writes it again.
    expect((await reset(dir.path).exited).code).toBe(0);
    await workspaceWithWork(dir.path);
    const before = (await readdir(backupsOf(dir.path))).sort();

    // A real unix socket, listened on, among the attendee's files.
    const socket = createServer(() => {});
    await new Promise<void>((r) => socket.listen(join(folder, "notes", "app.sock"), r));
    try {
      const run = await reset(dir.path).exited;
      expect(run.code).toBe(2);
      expect(run.output).toMatch(/Could not back up 01-shared-sessions .*nothing was changed/);
    } finally {
      await new Promise((r) => socket.close(r));
    }
    expect(await contentOf(folder)).toBe("work");
    // No half-written backup under a timestamp, nor a hidden one left behind.
    expect((await readdir(backupsOf(dir.path))).sort()).toEqual(before);

    const undo = await reset(dir.path, "--undo").exited;
    expect(undo.code).toBe(0);
    expect(await contentOf(folder)).toBe("work");
  });

  it("solution --apply and reset wait for no one: each, while the other changes the workspace, names it (exit 2) and changes nothing", async () => {
    await using dir = await tempDir();
    const folder = await workspaceWithWork(dir.path);
    const backups = async () => readdir(backupsOf(dir.path)).catch(() => [] as string[]);
    const resetting = await lockHolder(dir.path);
    try {
      const run = await runCli(["solution", "01", "--apply", "--yes", "--dir", dir.path], {
        cwd: dir.path,
      }).exited;
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain(`A reset is running (pid ${resetting.pid})`);
      expect(await contentOf(folder)).toBe("work");
      expect(await backups()).toEqual([]);
    } finally {
      await resetting.kill();
    }
    const applying = await lockHolder(dir.path, "solution --apply");
    try {
      const run = await reset(dir.path).exited;
      expect(run.code, run.output).toBe(2);
      expect(run.output).toContain(`\`solution --apply\` is running (pid ${applying.pid})`);
      expect(await contentOf(folder)).toBe("work");
      expect(await backups()).toEqual([]);
    } finally {
      await applying.kill();
    }
    // Nobody holds it: the solution goes in, after a backup of the work.
    const run = await runCli(["solution", "01", "--apply", "--yes", "--dir", dir.path], {
      cwd: dir.path,
    }).exited;
    expect(run.code, run.output).toBe(0);
    expect(await readFile(join(folder, "app.mjs"), "utf8")).toBe(
      await readFile(join(exercise.solutionDir, "app.mjs"), "utf8"),
    );
    expect(await backups()).toHaveLength(1);
  });

  it("a reset lock held by a live process is named (exit 2); one left by a killed process is taken over", async () => {
    await using dir = await tempDir();
    const folder = await workspaceWithWork(dir.path);
    const holder = await lockHolder(dir.path);
    try {
      const run = await reset(dir.path).exited;
      expect(run.code).toBe(2);
      expect(run.output).toContain(`Another reset is running (pid ${holder.pid})`);
      expect(await contentOf(folder)).toBe("work");
    } finally {
      await holder.kill();
    }
    // The holder died without releasing it: the lock is stale, not held forever.
    const run = await reset(dir.path).exited;
    expect(run.code, run.output).toBe(0);
    expect(await contentOf(folder)).toBe("starter");
  });
});

/**
 * Makes `name` in `dir` impossible to remove: `chattr +i` (immutable) or `+a` (append-only) as
 * root, who can remove a file in a read-only folder but not one of those; a read-only folder
 * otherwise.
 */
async function unremovableFile(dir: string, name: string, attribute: "+i" | "+a") {
  const file = join(dir, name);
  if (process.getuid?.() !== 0) {
    execFileSync("chmod", ["a-w", dir]);
    return {
      [Symbol.asyncDispose]: async () => {
        execFileSync("chmod", ["u+w", dir]);
      },
    };
  }
  try {
    execFileSync("chattr", [attribute, file], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `chattr ${attribute} failed on ${file} (${(error as Error).message.trim()}): install e2fsprogs (apt-get install -y e2fsprogs) and run the tests with TMPDIR on a file system that supports it (ext4, xfs, btrfs).`,
    );
  }
  return {
    [Symbol.asyncDispose]: async () => {
      execFileSync("chattr", [attribute.replace("+", "-"), file]);
    },
  };
}
