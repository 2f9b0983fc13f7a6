import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { exitCodeFor } from "../../src/main.js";
import { buildCheckReport, gradeRun } from "../../src/model/check-report.js";
import type { ScenarioResult, ScenarioStatus } from "../../src/model/results.js";

function scenario(
  id: ScenarioResult["id"],
  status: ScenarioStatus,
  cause?: string,
): ScenarioResult {
  return { id, title: id, status, summary: status, cause, observations: [], ms: 1 };
}

describe("gradeRun", () => {
  it.each([
    [
      "every scenario passed",
      [scenario("boot", "pass"), scenario("shared", "pass")],
      "pass",
      undefined,
    ],
    [
      "a skipped scenario does not fail",
      [scenario("boot", "pass"), scenario("restart", "skipped")],
      "pass",
      undefined,
    ],
    [
      "the first failure names the cause",
      [
        scenario("boot", "pass"),
        scenario("shared", "fail", "one"),
        scenario("unset", "fail", "two"),
      ],
      "fail",
      "one",
    ],
    [
      "a failure wins over an error",
      [scenario("shared", "error", "down"), scenario("unset", "fail", "broken")],
      "fail",
      "broken",
    ],
    [
      "an error without failures",
      [scenario("boot", "error", "the app did not start")],
      "error",
      "the app did not start",
    ],
    ["nothing ran", [], "error", "no scenario ran"],
  ] as const)("%s -> %s", (_name, results, verdict, cause) => {
    expect(gradeRun(results)).toMatchObject(cause === undefined ? { verdict } : { verdict, cause });
  });
});

describe("buildCheckReport", () => {
  const facts = {
    exercise: { id: "01-shared-sessions", title: "Shared sessions" },
    target: { kind: "url" as const, url: "http://127.0.0.1:8080/", redis: "none found" },
    advisories: [],
    durationMs: 812,
    finishedAt: "2026-11-26T10:00:00.000Z",
  };

  it.each([
    ["pass", "pass", 0],
    ["fail", "fail", 1],
    ["error", "error", 2],
  ] as const)("a %s report carries exit code %i", (status, verdict, exitCode) => {
    const report = buildCheckReport({
      ...facts,
      instances: [],
      scenarios: [scenario("boot", status)],
    });
    expect(report.verdict).toBe(verdict);
    expect(report.exitCode).toBe(exitCode);
  });

  it("learns the instances from the observations, numbered in port order", () => {
    const shared: ScenarioResult = {
      ...scenario("shared", "pass"),
      observations: [8082, 8081, null].map((port) => ({
        client: "A",
        path: "/",
        status: 200,
        port,
        shows: "",
        setCookie: [],
        ms: 1,
      })),
    };
    const report = buildCheckReport({ ...facts, instances: [8081], scenarios: [shared] });
    expect(report.target.instances).toEqual([
      { index: 1, port: 8081 },
      { index: 2, port: 8082 },
    ]);
    expect(report.schema).toBe("session-lab/check@3");
    expect(report).not.toHaveProperty("cause");
  });
});

describe("exitCodeFor", () => {
  it.each([
    [{ outcome: "success" as const }, 0],
    [{ outcome: "failed" as const }, 1],
    [{ outcome: "could-not-run" as const }, 2],
    [{ error: new UsageError("bad", "fix it") }, 2],
    [{ error: new Error("a bug") }, 2],
    [{ outcome: "success" as const, signal: "SIGINT" as const }, 130],
    [{ outcome: "failed" as const, signal: "SIGTERM" as const }, 143],
    [{ error: new Error("interrupted"), signal: "SIGHUP" as const }, 129],
  ])("%o -> %i", (ending, code) => {
    expect(exitCodeFor(ending)).toBe(code);
  });
});
