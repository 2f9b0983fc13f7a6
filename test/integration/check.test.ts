import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckOptions, check } from "../../src/commands/check.js";
import type { LabEvent } from "../../src/events.js";
import type { CheckReport } from "../../src/scenarios/report.js";
import { fixtureApp, labRunOptions, tempDir } from "../support/lab.js";

const sessionApp = join(import.meta.dirname, "../fixtures/session-app.mjs");
const pythonApp = join(import.meta.dirname, "../fixtures/session_app.py");

async function runCheck(
  dir: string,
  overrides: Partial<CheckOptions> = {},
  env: Record<string, string> = {},
) {
  const events: LabEvent[] = [];
  const report = await check(
    labRunOptions(dir, {
      env: { ...process.env, ...env },
      emit: (e) => events.push(e),
      ...overrides,
    }),
  );
  return { report, events };
}

function statuses(report: CheckReport): Record<string, string> {
  return Object.fromEntries(report.scenarios.map((s) => [s.id, s.status]));
}

function firstFailure(report: CheckReport) {
  return report.scenarios.find((s) => s.status === "fail" || s.status === "error");
}

describe("check of the bundled exercise", () => {
  it("fails the untouched starter: each instance reads its own session store", async () => {
    await using dir = await tempDir();
    const { report, events } = await runCheck(dir.path);
    expect(report.verdict).toBe("fail");
    expect(report.exitCode).toBe(1);
    expect(report.cause).toBe("each instance reads its own session store");
    const shared = report.scenarios.find((s) => s.id === "shared");
    expect(shared?.summary).toMatch(/^set on :(\d+), missing on :(\d+)$/);
    expect(shared?.instances?.map((i) => i.saw).sort()).toEqual([false, true]);
    // Events mirror the report: one per scenario, then the end.
    expect(events.filter((e) => e.type === "scenario")).toHaveLength(report.scenarios.length);
    expect(events.at(-1)).toMatchObject({ type: "check:end" });
  });

  it("passes the reference solution, with the session found in Redis under the lab's prefix", async () => {
    await using dir = await tempDir();
    const { report } = await runCheck(dir.path, { solution: true });
    expect(statuses(report)).toEqual({
      boot: "pass",
      shared: "pass",
      unset: "pass",
      isolation: "pass",
      restart: "pass",
      "store-evidence": "pass",
    });
    expect(report.exitCode).toBe(0);
    const evidence = report.scenarios.find((s) => s.id === "store-evidence");
    expect(evidence?.summary).toMatch(
      /the session is in Redis as session-lab:[0-9a-f]+:01-shared-sessions:/,
    );
    expect(report.advisories).toEqual([]);
  });

  it("records the verdict of the attendee's copy in the workspace state", async () => {
    await using dir = await tempDir();
    await runCheck(dir.path);
    const { loadState } = await import("../../src/workspace/state.js");
    const state = await loadState(dir.path);
    expect(state.exercises["01-shared-sessions"]?.lastCheck?.verdict).toBe("fail");
  });
});

describe("check diagnoses each way of getting sessions wrong", () => {
  it.each([
    [
      "a shared Redis store",
      { FIXTURE_STORE: "redis" },
      2,
      { verdict: "pass", exitCode: 0 },
      undefined,
    ],
    [
      "a store per instance",
      { FIXTURE_STORE: "own-dir" },
      2,
      { verdict: "fail", exitCode: 1, cause: "each instance reads its own session store" },
      "shared",
    ],
    [
      "a secret per instance",
      { FIXTURE_STORE: "redis", FIXTURE_SECRET: "per-instance" },
      2,
      { verdict: "fail", exitCode: 1, cause: "different secret or cookie name" },
      "shared",
    ],
    [
      "a memory store, lost on restart",
      { FIXTURE_STORE: "memory" },
      1,
      { verdict: "fail", exitCode: 1, cause: "the store does not outlive the process" },
      "restart",
    ],
    [
      "an unset that removes nothing",
      { FIXTURE_STORE: "redis", FIXTURE_UNSET: "noop" },
      2,
      { verdict: "fail", exitCode: 1, cause: "/session/unset/ does not remove the value" },
      "unset",
    ],
    [
      "one global value for everyone",
      { FIXTURE_GLOBAL: "1" },
      1,
      {
        verdict: "fail",
        exitCode: 1,
        cause: "the app keeps one value for everyone, not one per session",
      },
      "isolation",
    ],
    [
      "cookie-only sessions",
      { FIXTURE_STORE: "cookie" },
      2,
      {
        verdict: "fail",
        exitCode: 1,
        cause:
          "sessions survive without Redis (one shared folder, or cookies), which breaks as soon as the instances run on separate machines",
      },
      "store-evidence",
    ],
  ])("%s", async (_name, env, instances, expected, failing) => {
    await using dir = await tempDir();
    const { report } = await runCheck(dir.path, { cmd: `node ${sessionApp}`, instances }, env);
    expect(report).toMatchObject(expected);
    expect(firstFailure(report)?.id).toBe(failing);
  });

  it("a folder shared by every instance, without Redis", async () => {
    await using dir = await tempDir();
    const shared = join(dir.path, "one-folder");
    await mkdir(shared);
    const { report } = await runCheck(
      dir.path,
      { cmd: `node ${sessionApp}` },
      { FIXTURE_STORE: "shared-dir", FIXTURE_DIR: shared },
    );
    expect(statuses(report)).toMatchObject({
      shared: "pass",
      restart: "pass",
      "store-evidence": "fail",
    });
    expect(report.exitCode).toBe(1);
    expect(report.cause).toMatch(/^sessions survive without Redis/);
  });
});

describe("check reports apps that cannot be graded", () => {
  it.each([
    ["never listens", { FIXTURE_NO_LISTEN: "1" }, /did not answer HTTP within 1 s/, /APP_PORT/],
    ["crashes on start", { FIXTURE_CRASH: "1" }, /exited with code 3 before it answered/, /log/],
    ["ignores APP_PORT", { FIXTURE_PORT: "0" }, /did not answer HTTP within 1 s/, /APP_PORT/],
  ])("an app that %s: exit 2, the port and the likely cause", async (_name, env, summary, hint) => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `node ${fixtureApp}`, timeoutMs: 1000 },
      env,
    );
    expect(report.verdict).toBe("error");
    expect(report.exitCode).toBe(2);
    expect(report.cause).toBe("the app did not start");
    const boot = report.scenarios[0];
    expect(boot?.id).toBe("boot");
    expect(boot?.summary).toMatch(/^Instance [12] on :\d+ /);
    expect(boot?.summary).toMatch(summary);
    expect(boot?.hint).toMatch(hint);
    expect(report.scenarios).toHaveLength(1);
  });

  it("flags a page that echoes a value unescaped (advisory only)", async () => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `node ${sessionApp}` },
      { FIXTURE_STORE: "redis" },
    );
    expect(report.verdict).toBe("pass");
    expect(report.advisories.map((a) => a.id)).toEqual(["reflected-xss"]);
  });
});

describe("check grades apps in any language", () => {
  it.each([
    ["memory", "fail", "each instance reads its own session store"],
    ["redis", "pass", undefined],
  ])("a Python standard-library app with a %s store: %s", async (store, verdict, cause) => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `python3 ${pythonApp}` },
      { FIXTURE_STORE: store },
    );
    expect(report.verdict).toBe(verdict);
    expect(report.cause).toBe(cause);
  });
});
