import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/model/results.js";
import { gradeIdle, gradeSliding } from "../../src/scenarios/expiry.js";
import { gradeLogoutEverywhere, gradeLogoutOne, loggedInAs } from "../../src/scenarios/logout.js";
import { gradeOutage } from "../../src/scenarios/outage.js";

const as = (user: string, port = 5001) => ({ port, user });
const read = (shows: string, port = 5001): Observation => ({
  client: "A",
  path: "/",
  status: 200,
  port,
  shows,
  setCookie: [],
  ms: 1,
});

describe("logging out (exercise 02)", () => {
  it.each([
    ['<p>Logged in as <strong id="user">ada</strong></p>', "ada"],
    ["<p>Logged in as bob.</p>", "bob"],
    ["<p>Anonymous.</p>", ""],
  ])("loggedInAs(%j) = %j", (body, user) => {
    expect(loggedInAs(body)).toBe(user);
  });

  it.each([
    [
      "everything right",
      [as(""), as("", 5002)],
      [as("bob"), as("bob", 5002)],
      [],
      "pass",
      undefined,
    ],
    [
      "the other browser still logged in",
      [as(""), as("ada", 5002)],
      [as("bob")],
      [],
      "fail",
      "logout-not-everywhere",
    ],
    [
      "another user logged out too",
      [as("")],
      [as("bob"), as("", 5002)],
      [],
      "fail",
      "logout-too-wide",
    ],
    [
      "sessions forgotten but left in Redis",
      [as("")],
      [as("bob")],
      ["sess:x"],
      "fail",
      "session-left-in-redis",
    ],
  ] as const)(
    "logout everywhere, %s -> %s",
    (_name, sameUser, otherUser, keysLeft, status, causeId) => {
      const verdict = gradeLogoutEverywhere({
        user: "ada",
        other: "bob",
        sameUser,
        otherUser,
        keysLeft,
      });
      expect(verdict.status).toBe(status);
      expect(verdict.causeId).toBe(causeId);
    },
  );

  it.each([
    ["one session ended, the other kept", [as("")], [as("eve")], "pass", undefined],
    ["the session not ended", [as("eve")], [as("eve")], "fail", "logout-not-ending"],
    ["every session ended", [as("")], [as("")], "fail", "logout-ends-all"],
  ] as const)("plain logout, %s -> %s", (_name, loggedOut, other, status, causeId) => {
    const verdict = gradeLogoutOne({ user: "eve", loggedOut, other });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });
});

describe("expiring sessions (exercise 03)", () => {
  it.each([
    ["kept while active", [read("v"), read("v", 5002)], "pass", undefined],
    ["lost while active", [read("v"), read("", 5002)], "fail", "not-sliding"],
  ] as const)("sliding: %s -> %s", (_name, reads, status, causeId) => {
    const verdict = gradeSliding({ value: "v", ttlMs: 2000, reads });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });

  it.each([
    [
      "gone, key expired",
      [read("")],
      { key: "k", db: 0, pttlMs: 1990 },
      undefined,
      "pass",
      undefined,
    ],
    [
      "still there after the lifetime",
      [read("v")],
      { key: "k", db: 0, pttlMs: 86_400_000 },
      undefined,
      "fail",
      "never-expires",
    ],
    [
      "page forgot, key without expiry",
      [read("")],
      { key: "k", db: 0, pttlMs: -1 },
      undefined,
      "fail",
      "cookie-only-expiry",
    ],
    [
      "page forgot, key still there",
      [read("")],
      { key: "k", db: 0, pttlMs: 1990 },
      { key: "k", db: 0, pttlMs: 500 },
      "fail",
      "cookie-only-expiry",
    ],
  ] as const)("idle: %s -> %s", (_name, reads, keyBefore, keyAfter, status, causeId) => {
    const verdict = gradeIdle({ value: "v", ttlMs: 2000, reads, keyBefore, keyAfter });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });
});

describe("a Redis outage (exercise 04)", () => {
  const fast503 = [
    { phase: "paused" as const, status: 503, ms: 480 },
    { phase: "stopped" as const, status: 503, ms: 5 },
  ];
  it.each([
    ["fast 503s, no crash, recovered", fast503, [], 120, "pass", undefined],
    [
      "a request hangs",
      [{ phase: "paused" as const, status: 200, ms: 3000 }],
      [],
      120,
      "fail",
      "hangs-without-redis",
    ],
    [
      "no answer at all",
      [{ phase: "stopped" as const, status: 0, ms: 2000 }],
      [],
      120,
      "fail",
      "hangs-without-redis",
    ],
    ["an instance crashed", fast503, [5002], 120, "fail", "crashes-without-redis"],
    [
      "a fast 500",
      [{ phase: "stopped" as const, status: 500, ms: 4 }],
      [],
      120,
      "fail",
      "error-not-503",
    ],
    ["no recovery", fast503, [], undefined, "fail", "no-recovery"],
  ] as const)("%s -> %s", (_name, answers, down, recoveryMs, status, causeId) => {
    const verdict = gradeOutage({ answers, down, recoveryMs });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });

  it.each([
    ["1.3 s on a site that answers in 0.5 s anyway", 1300, 500, "pass"],
    ["1.3 s on a site that answers in 10 ms", 1300, 10, "fail"],
  ] as const)("counts 1 s on top of the usual answer time: %s", (_name, ms, baselineMs, status) => {
    const verdict = gradeOutage({
      answers: [{ phase: "paused", status: 503, ms }],
      down: [],
      recoveryMs: 50,
      baselineMs,
    });
    expect(verdict.status).toBe(status);
  });
});
