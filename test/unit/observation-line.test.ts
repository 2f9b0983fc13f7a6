import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { buildCheckReport } from "../../src/model/check-report.js";
import type { ScenarioResult } from "../../src/model/results.js";
import { scenarioLines, verdictLines } from "../../src/report/check-pretty.js";

const c = new Chalk({ level: 0 });
const failed: ScenarioResult = {
  id: "shared",
  title: "a value set through one instance is seen by all",
  status: "fail",
  summary: "set on :5001, missing on :5002",
  causeId: "secret-mismatch",
  cause: "the instances sign cookies with different secrets",
  confidence: "likely",
  observations: [],
  ms: 20,
};

function reportWith(observation: { watched: boolean; why?: string }) {
  return buildCheckReport({
    exercise: { id: "01-shared-sessions", title: "Shared sessions" },
    target: { kind: "cluster", url: "http://127.0.0.1:5000/", redis: "redis://127.0.0.1:6379" },
    instances: [5001, 5002],
    scenarios: [failed],
    advisories: [],
    observation,
    durationMs: 900,
    finishedAt: "2026-12-02T10:00:00.000Z",
  });
}

describe("how sure the terminal says the lab is", () => {
  it("marks the cause likely, and says in one line why the lab could not watch Redis", () => {
    const report = reportWith({
      watched: false,
      why: "the Redis user may not run MONITOR (NOPERM)",
    });
    expect(report.confidence).toBe("likely");
    const text = [...scenarioLines(failed, c, true), ...verdictLines(report, c)].join("\n");
    expect(text).toContain("cause: the instances sign cookies with different secrets (likely)");
    expect(text).toContain(
      "⚠ The lab could not watch what the instances sent Redis (the Redis user may not run MONITOR (NOPERM)): its causes are likely, not confirmed.",
    );
  });

  it("says nothing of watching when it watched", () => {
    const text = verdictLines(reportWith({ watched: true }), c).join("\n");
    expect(text).not.toContain("could not watch");
  });
});
