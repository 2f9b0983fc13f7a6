import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { type CliRun, runCli } from "../support/cli.js";
import { fixtureApp, sessionApp, tempDir } from "../support/lab.js";
import { markedProcesses } from "../support/leak-guard.js";
import { busyPorts, findFreePorts } from "../support/ports.js";

const daemonApp = join(import.meta.dirname, "../fixtures/daemon-app.mjs");

/** Ways an attendee starts an app in the background, as they would deploy it. */
const DAEMONS = [
  ["setsid, with the shell still running", `setsid -f node ${fixtureApp}; sleep 600`],
  ["a double fork into a session of its own", `node ${daemonApp}`],
  ["nohup … & with the shell exiting", `nohup node ${fixtureApp} > /dev/null 2>&1 &`],
] as const;

const DAEMONIZED =
  /runs its app in the background \(daemonized\).*so the lab can neither restart nor stop it/;

/** Resolves with the run's end, failing if that takes more than `ms` from now. */
async function endsWithin(run: CliRun, ms: number) {
  const began = Date.now();
  const ended = await run.exited;
  return { ...ended, ms: Date.now() - began, within: Date.now() - began <= ms };
}

/** The instance ports a run's output names (":12345"), but the Redis's. */
function portsIn(output: string): number[] {
  const redis = Number(new URL(inject("redisUrl")).port);
  const ports = [...output.matchAll(/:(\d{4,5})\b/g)].map((m) => Number(m[1]));
  return [...new Set(ports)].filter((p) => p !== redis);
}

describe("an app that daemonizes is named, and nothing escapes", () => {
  it.each(DAEMONS)("check, %s: exit 2 with the sentence", async (_name, cmd) => {
    await using dir = await tempDir();
    const run = runCli(
      ["check", "--cmd", cmd, "--redis-url", inject("redisUrl"), "--timeout", "5"],
      {
        cwd: dir.path,
      },
    );
    const { code, output, within } = await endsWithin(run, 12_000);
    expect(code).toBe(2);
    expect(output).toMatch(DAEMONIZED);
    expect(within).toBe(true);
    expect(await busyPorts(portsIn(output))).toEqual([]);
    expect(await markedProcesses()).toEqual([]);
  });

  it.each(DAEMONS)("start, %s: exit 2 with the sentence", async (_name, cmd) => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--cmd", cmd, "--timeout", "5"], {
      cwd: dir.path,
    });
    const { code, output, within } = await endsWithin(run, 12_000);
    expect(code).toBe(2);
    expect(output).toMatch(DAEMONIZED);
    expect(within).toBe(true);
    expect(await busyPorts(ports)).toEqual([]);
    expect(await markedProcesses()).toEqual([]);
  });

  it("names the pid and command line holding the port", async () => {
    await using dir = await tempDir();
    const run = runCli(["check", "--cmd", DAEMONS[0][1], "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    });
    const { output } = await run.exited;
    expect(output).toMatch(new RegExp(`pid \\d+ \\(node ${fixtureApp}\\) holds the port`));
    expect(output).toMatch(
      /Stopped pid \d+ \(node .*contract-app\.mjs\): an app of the lab's that had left its process group/,
    );
  });
});

/** A check slow enough (every request 150 ms late) to be caught at each of its stages. */
function slowCheck(cwd: string, env: NodeJS.ProcessEnv = {}) {
  return runCli(["check", "--cmd", `node ${sessionApp}`, "--redis-url", inject("redisUrl")], {
    cwd,
    env: { FIXTURE_STORE: "redis", FIXTURE_DELAY_MS: "150", ...env },
  });
}

/** Where in a check a signal arrives: what to wait for in its output first. */
const STAGES: [string, RegExp, NodeJS.ProcessEnv?][] = [
  ["while booting", /2 instances of/, { FIXTURE_BOOT_DELAY_MS: "3000" }],
  ["in the middle of the scenarios", /✔ shared/],
  ["during the restart scenario", /✔ isolation/],
  // Instances that ignore SIGTERM hold the teardown for its 3 s grace: the signal lands in it.
  ["during teardown", /✔ PASS/, { FIXTURE_IGNORE_SIGTERM: "1" }],
  ["with instances that ignore SIGTERM", /✔ shared/, { FIXTURE_IGNORE_SIGTERM: "1" }],
];

describe("Ctrl-C and SIGTERM always work", () => {
  it.each(STAGES)("check, SIGTERM %s: exits 143 within 5 s", async (_stage, after, env) => {
    await using dir = await tempDir();
    const run = slowCheck(dir.path, env);
    await run.waitForOutput(after);
    run.child.kill("SIGTERM");
    const { code, within, output } = await endsWithin(run, 5000);
    expect(code).toBe(143);
    expect(within).toBe(true);
    expect(output).not.toMatch(/unexpectedly/);
    expect(await markedProcesses()).toEqual([]);
  });

  it.each(STAGES)("check, SIGINT twice %s: exits 130 at once", async (_stage, after, env) => {
    await using dir = await tempDir();
    const run = slowCheck(dir.path, env);
    await run.waitForOutput(after);
    run.child.kill("SIGINT");
    // Two signals sent at once are delivered as one: the second follows the lab's answer.
    await run.waitForOutput(/press Ctrl-C again/);
    run.child.kill("SIGINT");
    const { code, within } = await endsWithin(run, 2000);
    expect(code).toBe(130);
    expect(within).toBe(true);
    await expect.poll(() => markedProcesses(), { timeout: 3000 }).toEqual([]);
  });

  it("check of a daemonized app, SIGTERM while it boots: exits 143 within 5 s, the daemon stopped", async () => {
    await using dir = await tempDir();
    const run = runCli(["check", "--cmd", DAEMONS[0][1], "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    });
    await run.waitForOutput(/2 instances of/);
    run.child.kill("SIGTERM");
    const { code, within } = await endsWithin(run, 5000);
    expect([2, 143]).toContain(code);
    expect(within).toBe(true);
    await expect.poll(() => markedProcesses(), { timeout: 3000 }).toEqual([]);
  });
});
