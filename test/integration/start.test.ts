import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { start } from "../../src/commands/start.js";
import { AppStartError, PortInUseError } from "../../src/errors.js";
import type { LabEvent } from "../../src/events.js";
import { exitCodeFor } from "../../src/main.js";
import { Client, shownValue } from "../support/http.js";
import { fixtureApp, resetWith, runStart, tempDir } from "../support/lab.js";
import { busyPorts, findFreePorts } from "../support/ports.js";

const fixtureCmd = `node ${fixtureApp}`;

describe("start", () => {
  it("spreads requests over the instances strictly in turn and traces each one", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, cmd: fixtureCmd, instances: 3 });
    try {
      const client = new Client();
      const served: string[] = [];
      served.push((await client.get(`${lab.proxyUrl}session/set/v`)).servedBy);
      for (let i = 1; i < 7; i++) served.push((await client.get(lab.proxyUrl)).servedBy);
      const [p1, p2, p3] = lab.ports.slice(1);
      expect(served).toEqual([
        `instance-1 :${p1}`,
        `instance-2 :${p2}`,
        `instance-3 :${p3}`,
        `instance-1 :${p1}`,
        `instance-2 :${p2}`,
        `instance-3 :${p3}`,
        `instance-1 :${p1}`,
      ]);
      const traces = lab.events.filter((e) => e.type === "request");
      expect(traces).toHaveLength(7);
      expect(traces[0]).toMatchObject({
        method: "GET",
        path: "/session/set/v",
        instance: { index: 1, port: p1 },
        status: 200,
        setCookie: true,
      });
      expect(traces[1]).toMatchObject({ path: "/", instance: { index: 2 }, setCookie: false });
      expect(traces.every((t) => t.type === "request" && t.ms >= 0)).toBe(true);
    } finally {
      await lab.stop();
    }
    expect(await busyPorts(lab.ports)).toEqual([]);
  });

  it("shows the starter's symptom: the value is there only every other request", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path });
    try {
      const client = new Client();
      const set = await client.get(`${lab.proxyUrl}session/set/hello`);
      expect(shownValue(set.body)).toBe("hello");
      const seen: (string | undefined)[] = [];
      for (let i = 0; i < 6; i++) seen.push(shownValue((await client.get(lab.proxyUrl)).body));
      // The set went to instance 1, so instance 2 answers first and has never heard of it.
      expect(seen).toEqual([undefined, "hello", undefined, "hello", undefined, "hello"]);
      // The instance without the session does not replace the client's cookie.
      const sets = lab.events.filter((e) => e.type === "request" && e.setCookie);
      expect(sets).toHaveLength(1);
    } finally {
      await lab.stop();
    }
    const copy = await readFile(join(dir.path, "01-shared-sessions", "app.mjs"), "utf8");
    expect(copy).toContain("session-file-store");
  });

  it("runs the reference solution with --solution: the value is seen on every request", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, solution: true, instances: 3 });
    try {
      const client = new Client();
      await client.get(`${lab.proxyUrl}session/set/shared-${process.pid}`);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await client.get(lab.proxyUrl));
      expect(answers.map((a) => shownValue(a.body))).toEqual(
        Array(6).fill(`shared-${process.pid}`),
      );
      expect(new Set(answers.map((a) => a.servedBy)).size).toBe(3);
      await client.get(`${lab.proxyUrl}session/unset/`);
      for (let i = 0; i < 3; i++)
        expect(shownValue((await client.get(lab.proxyUrl)).body)).toBeUndefined();
    } finally {
      await lab.stop();
    }
  });

  it("HTML-escapes the value it shows", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, instances: 1 });
    try {
      const client = new Client();
      const page = await client.get(
        `${lab.proxyUrl}session/set/${encodeURIComponent("<b>hi</b>")}`,
      );
      expect(page.body).toContain("&lt;b&gt;hi&lt;/b&gt;");
      expect(page.body).not.toContain("<b>hi</b>");
    } finally {
      await lab.stop();
    }
  });

  it("never overwrites the attendee's copy of the exercise", async () => {
    await using dir = await tempDir();
    const first = await runStart({ dir: dir.path, instances: 1 });
    await first.stop();
    const entry = join(dir.path, "01-shared-sessions", "app.mjs");
    const edited = `${await readFile(entry, "utf8")}\n// my own edit\n`;
    await writeFile(entry, edited);
    const second = await runStart({ dir: dir.path, instances: 1 });
    await second.stop();
    expect(await readFile(entry, "utf8")).toBe(edited);
    expect(first.events.some((e) => e.type === "workspace:created")).toBe(true);
    expect(second.events.some((e) => e.type === "workspace:found")).toBe(true);
  });

  it("reports an instance that crashes on start by port, exit code and last log lines", async () => {
    await using dir = await tempDir();
    const error = await runStart({
      dir: dir.path,
      cmd: fixtureCmd,
      env: { ...process.env, FIXTURE_CRASH: "1" },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppStartError);
    const e = error as AppStartError;
    expect(e.message).toMatch(/^Instance [12] on :\d+ exited with code 3 before it answered\.$/);
    expect(e.lastLines.join("\n")).toContain("fixture: failing on purpose before listening");
    expect(exitCodeFor({ error })).toBe(2);
  });

  it("says to listen on APP_PORT when an instance never answers", async () => {
    await using dir = await tempDir();
    const [elsewhere] = await findFreePorts(1);
    const error = await runStart({
      dir: dir.path,
      cmd: fixtureCmd,
      instances: 1,
      timeoutMs: 800,
      env: { ...process.env, FIXTURE_PORT: String(elsewhere) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppStartError);
    expect((error as AppStartError).message).toMatch(/did not answer HTTP within 0\.8 s/);
    expect((error as AppStartError).hint).toMatch(/APP_PORT/);
  });

  it("reports a port already in use before spawning anything", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const { createServer } = await import("node:net");
    const blocker = createServer().listen(ports[2], "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const events: LabEvent[] = [];
    try {
      const error = await start({
        exercise: undefined,
        instances: 2,
        port: ports[0] as number,
        host: "127.0.0.1",
        dir: dir.path,
        cmd: fixtureCmd,
        solution: false,
        redisUrl: undefined,
        timeoutMs: 5000,
        watch: false,
        interactive: false,
        env: process.env,
        cwd: dir.path,
        emit: (e) => events.push(e),
        signal: new AbortController().signal,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PortInUseError);
      // Named with the program that holds it: here, this test's own process.
      expect((error as PortInUseError).message).toMatch(
        new RegExp(
          `^Port ${ports[2]} \\(instance 2\\) is already in use by pid ${process.pid} \\(`,
        ),
      );
      expect(events.filter((e) => e.type === "instance:starting")).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("stops a shell-wrapped app whole and frees every port", async () => {
    await using dir = await tempDir();
    // The shell stays as the parent of node, as `npm start` would.
    const lab = await runStart({ dir: dir.path, cmd: `sh -c 'node ${fixtureApp}; exit 0'` });
    const result = await lab.stop();
    expect(result.stoppedBy).toBe("signal");
    expect(await busyPorts(lab.ports)).toEqual([]);
    expect(lab.events.filter((e) => e.type === "instance:exit" && e.expected)).toHaveLength(2);
    expect(lab.events.at(-1)).toEqual({ type: "stopped" });
  });

  it("force-kills an app that ignores SIGTERM and says so", async () => {
    await using dir = await tempDir();
    const lab = await runStart({
      dir: dir.path,
      cmd: fixtureCmd,
      instances: 1,
      env: { ...process.env, FIXTURE_IGNORE_SIGTERM: "1" },
    });
    await lab.stop();
    expect(lab.events.some((e) => e.type === "instance:killed")).toBe(true);
    expect(await busyPorts(lab.ports)).toEqual([]);
  });

  it("takes a crashed instance out of the rotation", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, cmd: fixtureCmd, instances: 2 });
    try {
      const client = new Client();
      // Kill instance 2 behind the lab's back.
      const log = await lab.waitFor(
        "instance:log",
        (e) => e.instance.index === 2 && /pid \d+/.test(e.line),
      );
      process.kill(Number(/pid (\d+)/.exec(log.line)?.[1]), "SIGKILL");
      const exit = await lab.waitFor("instance:exit", (e) => e.instance.index === 2);
      expect(exit.expected).toBe(false);
      const served = [];
      for (let i = 0; i < 4; i++) served.push((await client.get(lab.proxyUrl)).status);
      expect(served).toEqual([200, 200, 200, 200]);
      const last = lab.events.filter((e) => e.type === "request").slice(-4);
      expect(last.every((e) => e.type === "request" && e.instance?.index === 1)).toBe(true);
    } finally {
      await lab.stop();
    }
  });

  it("restarts the instances on r and when a file of the exercise changes", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, instances: 2, watch: true });
    try {
      const client = new Client();
      lab.act("restart");
      await lab.waitFor("cluster:restarting", (e) => e.reason === "key");
      const readyAgain = () => lab.events.filter((e) => e.type === "instance:ready").length;
      await expect.poll(readyAgain, { timeout: 10_000 }).toBe(4);

      const entry = join(dir.path, "01-shared-sessions", "app.mjs");
      const source = await readFile(entry, "utf8");
      await writeFile(
        entry,
        source.replace("<title>Shared sessions</title>", "<title>Edited</title>"),
      );
      await lab.waitFor("cluster:restarting", (e) => e.reason === "change");
      await expect.poll(readyAgain, { timeout: 10_000 }).toBe(6);
      expect((await client.get(lab.proxyUrl)).body).toContain("<title>Edited</title>");
      expect((await client.get(lab.proxyUrl)).body).toContain("<title>Edited</title>");
    } finally {
      await lab.stop();
    }
  });

  it("names the file saved (sed -i's too), restarts once per save and once for a reset", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, instances: 1, watch: true });
    const restarts = () => lab.events.filter((e) => e.type === "cluster:restarting");
    const readyCount = () => lab.events.filter((e) => e.type === "instance:ready").length;
    /** Waits for `n` restarts in all, each booted, then a moment for one that should not come. */
    const settledAt = async (n: number) => {
      await expect.poll(() => restarts().length, { timeout: 10_000 }).toBe(n);
      await expect.poll(readyCount, { timeout: 10_000 }).toBe(n + 1);
      await new Promise((r) => setTimeout(r, 800));
      expect(restarts()).toHaveLength(n);
    };
    try {
      const entry = join(dir.path, "01-shared-sessions", "app.mjs");
      const { execFileSync } = await import("node:child_process");
      // GNU sed writes a temporary file (sedXXXXXX) and renames it over the one it edits.
      execFileSync("sed", ["-i", "s/<title>Shared sessions</<title>Edited</", entry]);
      await settledAt(1);
      expect(restarts()[0]).toMatchObject({ reason: "change", file: "app.mjs", more: 0 });

      // A reset removes the exercise's files and copies the starter's: one change.
      await resetWith(dir.path);
      await settledAt(2);
      expect(restarts()[1]).toMatchObject({ file: "app.mjs" });

      // The same bytes written again are no change; new ones are, the watch still hears them.
      await writeFile(entry, await readFile(entry));
      await new Promise((r) => setTimeout(r, 500));
      await writeFile(entry, `${await readFile(entry, "utf8")}\n// edited\n`);
      await settledAt(3);
    } finally {
      await lab.stop();
    }
  });

  it("after c passes, says in one line what comes next and that the workspace stays", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, instances: 1 });
    try {
      const { solution } = await import("../../src/commands/solution.js");
      await solution({ exercise: undefined, dir: dir.path, apply: true, emit: () => {} });
      lab.act("restart");
      await expect
        .poll(() => lab.events.filter((e) => e.type === "cluster:restarted").length, {
          timeout: 10_000,
        })
        .toBe(1);
      lab.act("check");
      const next = await lab.waitFor("exercise:next");
      expect(next).toMatchObject({
        id: "02-logout-everywhere",
        current: "01-shared-sessions",
        running: true,
      });
      expect(next.command).toMatch(/ start 02$/);
    } finally {
      await lab.stop();
    }
  });

  it("says so when a check asked for with c cannot run, instead of nothing", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, instances: 1 });
    try {
      // The check's result cannot be recorded: the workspace's state file is now a folder.
      const state = join(dir.path, ".session-lab", "state.json");
      await rm(state);
      await mkdir(state);
      lab.act("check");
      const failed = await lab.waitFor("check:failed");
      expect(failed.message).toMatch(/EISDIR|illegal operation on a directory/);
      expect(failed.hint).not.toBe("");
    } finally {
      await lab.stop();
    }
  });

  it("shows the next hint on h, one more each time", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, cmd: fixtureCmd, instances: 1 });
    try {
      lab.act("hint");
      const first = await lab.waitFor("hint");
      lab.act("hint");
      const second = await lab.waitFor("hint", (e) => e.number === 2);
      expect(first.number).toBe(1);
      // The hint names the address this lab really serves, not the default :5000.
      expect(first.text).toContain(`${lab.proxyUrl}session/set/hello`);
      expect(second.text).not.toBe(first.text);
      expect(second.total).toBeGreaterThanOrEqual(3);
    } finally {
      await lab.stop();
    }
  });
});

describe("offline imports", () => {
  it("links the lab's packages into the workspace, and falls back to the import hook when it has its own node_modules", async () => {
    const { lstat, mkdir } = await import("node:fs/promises");
    await using linked = await tempDir();
    const first = await runStart({ dir: linked.path, instances: 1 });
    await first.stop();
    expect((await lstat(join(linked.path, "node_modules"))).isSymbolicLink()).toBe(true);

    await using own = await tempDir();
    await mkdir(join(own.path, "node_modules")); // the attendee's own, empty: nothing resolves from it
    const second = await runStart({ dir: own.path, instances: 1 });
    try {
      const page = await new Client().get(second.proxyUrl);
      // The starter's own imports (express, express-session ...) resolved through the hook.
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/Served by port/);
    } finally {
      await second.stop();
    }
    expect((await lstat(join(own.path, "node_modules"))).isSymbolicLink()).toBe(false);
  });
});
