import { describe, expect, inject, it } from "vitest";
import { isPortFree } from "../../src/processes/ports.js";
import { runCli } from "../support/cli.js";
import { fixtureApp, sessionApp, tempDir } from "../support/lab.js";
import { markedProcesses } from "../support/leak-guard.js";
import { busyPorts, findFreePorts } from "../support/ports.js";

/** A check slow enough (every request 150 ms late) to be interrupted in the middle. */
function slowCheck(cwd: string, extra: string[] = []) {
  return runCli(
    ["check", "--cmd", `node ${sessionApp}`, "--redis-url", inject("redisUrl"), ...extra],
    {
      cwd,
      env: { FIXTURE_STORE: "redis", FIXTURE_DELAY_MS: "150" },
    },
  );
}

describe("the lab interrupted", () => {
  it("start: SIGINT during boot exits 130 and leaves nothing", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
      env: { FIXTURE_NO_LISTEN: "1" },
    });
    await run.waitForOutput(/running, but not listening[\s\S]*running, but not listening/);
    run.child.kill("SIGINT");
    expect((await run.exited).code).toBe(130);
    expect(await busyPorts(ports)).toEqual([]);
    expect(await markedProcesses()).toEqual([]);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "check: %s in the middle of the scenarios exits %i and leaves nothing",
    async (signal, code) => {
      await using dir = await tempDir();
      const run = slowCheck(dir.path);
      await run.waitForOutput(/✔ boot/);
      run.child.kill(signal);
      expect((await run.exited).code).toBe(code);
      expect(await markedProcesses()).toEqual([]);
    },
  );

  it("a second Ctrl-C kills instances that ignore SIGTERM at once", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
      env: { FIXTURE_IGNORE_SIGTERM: "1" },
    });
    await run.waitForOutput(/round-robin over 2 instances/);
    run.child.kill("SIGINT");
    await run.waitForOutput(/ignoring SIGTERM[\s\S]*ignoring SIGTERM/);
    run.child.kill("SIGINT");
    const { code, output } = await run.exited;
    expect(code).toBe(130);
    expect(output).not.toContain("did not stop within");
    expect(await busyPorts(ports)).toEqual([]);
  });
});

describe("after the lab is SIGKILLed", () => {
  it("the next start finds what the killed start left, stops it and says so", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const first = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
    });
    await first.waitForOutput(/round-robin over 2 instances/);
    first.child.kill("SIGKILL");
    await first.exited;
    // The instances outlived the lab: orphans holding their ports.
    expect((await markedProcesses()).length).toBeGreaterThanOrEqual(2);
    expect(await isPortFree(ports[1]!, "127.0.0.1")).toBe(false);

    const second = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
    });
    await second.waitForOutput(/round-robin over 2 instances/);
    expect(second.output()).toMatch(
      /⚠ Stopped pid \d+ \(node .*contract-app\.mjs\), left running by an earlier run that was killed\./,
    );
    second.child.kill("SIGINT");
    expect((await second.exited).code).toBe(130);
    expect(await busyPorts(ports)).toEqual([]);
    expect(await markedProcesses()).toEqual([]);
  });

  it("the next check stops what a killed check left", async () => {
    await using dir = await tempDir();
    const first = slowCheck(dir.path);
    await first.waitForOutput(/✔ boot/);
    first.child.kill("SIGKILL");
    await first.exited;
    expect((await markedProcesses()).length).toBeGreaterThanOrEqual(2);

    const second = await runCli(["check", "--redis-url", inject("redisUrl")], { cwd: dir.path })
      .exited;
    expect(second.output).toMatch(
      /⚠ Stopped pid \d+ .*left running by an earlier run that was killed\./,
    );
    expect(await markedProcesses()).toEqual([]);
  });

  it("leaves alone the instances of a start that is still running", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const running = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
    });
    try {
      await running.waitForOutput(/round-robin over 2 instances/);
      const check = await runCli(["check", "--redis-url", inject("redisUrl")], { cwd: dir.path })
        .exited;
      expect(check.output).not.toContain("left running by an earlier run");
      const res = await fetch(`http://127.0.0.1:${ports[0]}/`);
      expect(res.status).toBe(200);
    } finally {
      running.child.kill("SIGINT");
      await running.exited;
    }
  });
});

describe("an app that floods its log", () => {
  it("is neither killed nor makes the lab's memory grow with it", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const { spawn } = await import("node:child_process");
    const { binPath } = await import("../support/cli.js");
    const { memoryOf } = await import("../../src/processes/process-info.js");
    const child = spawn(
      process.execPath,
      [
        binPath,
        "start",
        "-n",
        "1",
        "--port",
        String(ports[0]),
        "--quiet",
        "--cmd",
        `node ${fixtureApp}`,
      ],
      {
        cwd: dir.path,
        env: { ...process.env, NO_COLOR: "1", FIXTURE_FLOOD_MB: "300" },
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let bytes = 0;
    let tail = "";
    let peakKb = 0;
    // Linux keeps the peak (VmHWM); elsewhere the resident memory is sampled while it floods.
    const peak = async () => {
      const use = await memoryOf(child.pid as number);
      peakKb = Math.max(peakKb, use?.peakKb ?? use?.residentKb ?? 0);
    };
    const sampling = setInterval(() => void peak(), 100);
    const done = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        tail = (tail + chunk.toString()).slice(-4096);
        if (tail.includes("fixture: flood done")) resolve();
      });
    });
    // The first request starts the flood (the lab's readiness probe is one).
    await done;
    clearInterval(sampling);
    await peak();
    child.kill("SIGINT");
    await new Promise((r) => child.once("close", r));
    expect(bytes).toBeGreaterThan(300 * 1024 * 1024);
    expect(peakKb).toBeLessThan(150 * 1024);
  });
});

/** A TCP server that accepts and never answers: a Redis that hangs the lab's set-up. */
async function silentServer(): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const { createServer } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** How long the lab promises an interrupted run takes to end (main's deadline). */
const DEADLINE_MS = 4500;

/**
 * What an interrupted `start` must show: it ended within the deadline by the signal (130 or
 * 143, or the signal itself before the lab had set its handlers), said "Stopping" once, never
 * announced a lab that is up after that, and never had to kill it for overrunning.
 */
async function expectStoppedCleanly(
  run: ReturnType<typeof runCli>,
  signal: "SIGINT" | "SIGTERM",
  ports: number[],
) {
  const began = Date.now();
  const { code, signal: killedBy, output } = await run.exited;
  const ms = Date.now() - began;
  expect(ms, output).toBeLessThan(DEADLINE_MS);
  if (killedBy === null) expect(code, output).toBe(signal === "SIGINT" ? 130 : 143);
  else expect(killedBy).toBe(signal);
  expect(output).not.toContain("took longer than");
  const afterStop = output.split("Stopping (")[1] ?? "";
  expect(afterStop).not.toMatch(/Open http|round-robin over|ready in/);
  expect(output.match(/Stopping/g)?.length ?? 0).toBeLessThanOrEqual(1);
  expect(await busyPorts(ports)).toEqual([]);
  await expect.poll(() => markedProcesses(), { timeout: 3000 }).toEqual([]);
}

describe("an interrupt ends start from the first millisecond", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s while the lab is still looking for Redis: nothing boots, no banner",
    async (signal) => {
      await using dir = await tempDir();
      await using redis = await silentServer();
      const ports = await findFreePorts(3);
      const run = runCli(["start", "--port", String(ports[0])], {
        cwd: dir.path,
        env: { REDIS_URL: undefined, SESSION_LAB_LOCAL_REDIS: redis.url },
      });
      await run.waitForOutput(/Created the workspace folder/);
      run.child.kill(signal);
      await expectStoppedCleanly(run, signal, ports);
      expect(run.output()).not.toMatch(/app-\d \|/);
    },
  );

  // The reproduction: Ctrl-C a moment after the lab first prints, while it sets up.
  it.each([
    ["SIGINT", 0],
    ["SIGINT", 40],
    ["SIGINT", 100],
    ["SIGINT", 200],
    ["SIGTERM", 60],
  ] as const)("%s %i ms after the lab's first line", async (signal, ms) => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    });
    await run.waitForOutput(/Created the workspace folder/);
    await new Promise((r) => setTimeout(r, ms));
    run.child.kill(signal);
    await expectStoppedCleanly(run, signal, ports);
  });

  it("SIGINT once the lab is up: one Stopping line, then Stopped", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    });
    await run.waitForOutput(/round-robin over 2 instances/);
    run.child.kill("SIGINT");
    await expectStoppedCleanly(run, "SIGINT", ports);
    expect(run.output()).toMatch(
      /Stopping \(SIGINT\)…[^\n]*\nStopped; every instance and port is free\./,
    );
  });
});

/** A result line of the check: a scenario's mark, or a verdict. */
const VERDICT = /PASS|FAIL|COULD NOT RUN/;

describe("an interrupted check prints nothing it did not obtain", () => {
  it.each([
    [
      "a slow boot, before every instance answered",
      /2 instances of/,
      { FIXTURE_STORE: "redis", FIXTURE_BOOT_DELAY_MS: "3000" },
    ],
    [
      "the solution-like app, mid-scenarios",
      /✔ shared/,
      { FIXTURE_STORE: "redis", FIXTURE_DELAY_MS: "150" },
    ],
    [
      "the failing starter-like app, mid-scenarios",
      /✘ shared/,
      { FIXTURE_STORE: "own-dir", FIXTURE_DELAY_MS: "150" },
    ],
  ] as const)(
    "SIGINT during %s: no verdict, no unfinished step, exit 130",
    async (_name, after, env) => {
      await using dir = await tempDir();
      const run = runCli(
        ["check", "--cmd", `node ${sessionApp}`, "--redis-url", inject("redisUrl")],
        { cwd: dir.path, env },
      );
      await run.waitForOutput(after);
      const before = run.output();
      run.child.kill("SIGINT");
      const { code, output } = await run.exited;
      expect(code).toBe(130);
      const sinceSignal = output.slice(before.length);
      expect(output).not.toMatch(VERDICT);
      // Nothing graded after the signal: no scenario line, no "could not run" for the cut one.
      expect(sinceSignal).not.toMatch(/^ {2}[✔✘–] /m);
      expect(output).not.toContain("could not run: the check was interrupted");
      expect(sinceSignal).toContain("The check was interrupted, so nothing was graded.");
      if ("FIXTURE_BOOT_DELAY_MS" in env) expect(output).not.toMatch(/✔ boot/);
      await expect.poll(() => markedProcesses(), { timeout: 3000 }).toEqual([]);
    },
  );
});
