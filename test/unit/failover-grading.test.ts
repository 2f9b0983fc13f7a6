import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/model/results.js";
import {
  describeFigures,
  gradeFailover,
  type SwitchProbe,
  switchFigures,
} from "../../src/scenarios/failover.js";

const probe = (atMs: number, ok: boolean): SwitchProbe => ({ atMs, ok, status: ok ? 200 : 500 });
const read = (shows: string, port = 5001, status = 200): Observation => ({
  client: "A",
  path: "/",
  status,
  port,
  shows,
  setCookie: [],
  ms: 1,
});

describe("the figures of a switch (exercise 05)", () => {
  it.each([
    ["none failed", [probe(0, true), probe(400, true), probe(900, true)], 300, 0, 0, 0],
    [
      "two failed, back after the switch",
      [probe(0, true), probe(200, false), probe(700, false), probe(1200, true), probe(1400, true)],
      1000,
      2,
      1000,
      1200,
    ],
    ["never back", [probe(0, false), probe(500, false), probe(900, false)], 300, 3, 900, undefined],
    ["back only before the switch", [probe(0, false), probe(100, true)], 500, 1, 100, undefined],
  ] as const)("%s", (_, probes, switchedMs, failed, failingMs, recoveredMs) => {
    const f = switchFigures(probes, switchedMs);
    expect(f).toMatchObject({ requests: probes.length, failed, failingMs, recoveredMs });
  });

  it("says the figures in one line", () => {
    expect(describeFigures(switchFigures([probe(0, false), probe(1500, true)], 1000))).toBe(
      "1 of 2 writes failed during the switch, for 1.5 s; the sentinels named the new primary after 1.0 s, the site wrote again after 1.5 s",
    );
  });
});

describe("grading a switch of primary (exercise 05)", () => {
  const fine = switchFigures([probe(0, true), probe(800, true)], 500);
  const saw = [{ port: 5001, saw: true }];
  it.each([
    ["everything right", "failover", fine, saw, [read("v1")], "pass", undefined],
    [
      "a write not there after it",
      "failover",
      fine,
      saw,
      [read("")],
      "fail",
      "readonly-after-failover",
    ],
    [
      "a write answering 500",
      "failover",
      fine,
      saw,
      [read("", 5001, 500)],
      "fail",
      "readonly-after-failover",
    ],
    [
      "not following a hung primary",
      "hang",
      switchFigures([probe(0, false), probe(900, false)], 500),
      saw,
      [read("v1")],
      "fail",
      "no-failover-follow",
    ],
    [
      "a session lost",
      "failover",
      fine,
      [{ port: 5001, saw: false }],
      [read("v1")],
      "fail",
      "sessions-lost-in-failover",
    ],
    [
      "no switch at all",
      "failover",
      switchFigures([probe(0, true)], undefined),
      saw,
      [read("v1")],
      "error",
      "no-redis",
    ],
  ] as const)("%s", (_, kind, figures, readsAfter, writesAfter, status, causeId) => {
    const verdict = gradeFailover({ kind, figures, readsAfter, writesAfter, expected: ["v1"] });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
    expect(verdict.evidence?.[0]).toMatch(/writes failed during the switch/);
  });
});
