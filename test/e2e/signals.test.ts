import { describe, expect, inject, it } from "vitest";
import { isPortFree } from "../../src/processes/ports.js";
import { runCli } from "../support/cli.js";
import { fixtureApp, sessionApp, tempDir } from "../support/lab.js";
import { markedProcesses } from "../support/leak-guard.js";
import { findFreePorts } from "../support/ports.js";

async function allFree(ports: number[]): Promise<boolean> {
  return (await Promise.all(ports.map((p) => isPortFree(p, "127.0.0.1")))).every(Boolean);
}

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
    expect(await allFree(ports)).toBe(true);
    expect(markedProcesses()).toEqual([]);
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
      expect(markedProcesses()).toEqual([]);
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
    expect(await allFree(ports)).toBe(true);
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
    expect(markedProcesses().length).toBeGreaterThanOrEqual(2);
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
    expect(await allFree(ports)).toBe(true);
    expect(markedProcesses()).toEqual([]);
  });

  it("the next check stops what a killed check left", async () => {
    await using dir = await tempDir();
    const first = slowCheck(dir.path);
    await first.waitForOutput(/✔ boot/);
    first.child.kill("SIGKILL");
    await first.exited;
    expect(markedProcesses().length).toBeGreaterThanOrEqual(2);

    const second = await runCli(["check", "--redis-url", inject("redisUrl")], { cwd: dir.path })
      .exited;
    expect(second.output).toMatch(
      /⚠ Stopped pid \d+ .*left running by an earlier run that was killed\./,
    );
    expect(markedProcesses()).toEqual([]);
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
    const { readFileSync } = await import("node:fs");
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
    const peak = () => {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    };
    const done = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        tail = (tail + chunk.toString()).slice(-4096);
        if (tail.includes("fixture: flood done")) resolve();
      });
    });
    // The first request starts the flood (the lab's readiness probe is one).
    await done;
    peak();
    child.kill("SIGINT");
    await new Promise((r) => child.once("close", r));
    expect(bytes).toBeGreaterThan(300 * 1024 * 1024);
    expect(peakKb).toBeLessThan(150 * 1024);
  });
});
