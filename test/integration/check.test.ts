import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckReport } from "../../src/model/check-report.js";
import { fixtureApp, runCheck, sessionApp, tempDir } from "../support/lab.js";

const pythonApp = join(import.meta.dirname, "../fixtures/session_app.py");

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

describe("check of a correct app of its own", () => {
  it("passes a shared Redis store", async () => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `node ${sessionApp}` },
      { FIXTURE_STORE: "redis" },
    );
    expect(report).toMatchObject({ verdict: "pass", exitCode: 0 });
    expect(firstFailure(report)).toBeUndefined();
  });
});

describe("check reports apps that cannot be graded", () => {
  it.each([
    [
      "never listens",
      { FIXTURE_NO_LISTEN: "1" },
      /did not answer HTTP within 1 s\.$/,
      /APP_PORT/,
      "never-listened",
    ],
    [
      "crashes on start",
      { FIXTURE_CRASH: "1" },
      /exited with code 3 before it answered/,
      /log/,
      "app-did-not-start",
    ],
    [
      "ignores APP_PORT",
      { FIXTURE_PORT: "0" },
      /did not answer HTTP within 1 s: it listens on :\d+ instead of APP_PORT\.$/,
      /APP_PORT/,
      "ignores-app-port",
    ],
  ])(
    "an app that %s: exit 2, the port and the likely cause",
    async (_name, env, summary, hint, causeId) => {
      await using dir = await tempDir();
      const { report } = await runCheck(
        dir.path,
        { cmd: `node ${fixtureApp}`, timeoutMs: 1000 },
        env,
      );
      expect(report.verdict).toBe("error");
      expect(report.exitCode).toBe(2);
      expect(report.causeId).toBe(causeId);
      const boot = report.scenarios[0];
      expect(boot?.id).toBe("boot");
      expect(boot?.summary).toMatch(/^Instance [12] on :\d+ /);
      expect(boot?.summary).toMatch(summary);
      expect(boot?.hint).toMatch(hint);
      expect(report.scenarios).toHaveLength(1);
    },
  );

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
    ["memory", "fail", "memory-store"],
    ["redis", "pass", undefined],
  ])("a Python standard-library app with a %s store: %s", async (store, verdict, causeId) => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `python3 ${pythonApp}` },
      { FIXTURE_STORE: store },
    );
    expect(report.verdict).toBe(verdict);
    expect(report.causeId).toBe(causeId);
  });
});
