import { describe, expect, it } from "vitest";
import type { Observation } from "../../src/model/results.js";
import { gradeIsolation } from "../../src/scenarios/isolation.js";
import { visibility } from "../../src/scenarios/reads.js";
import { gradeRestart } from "../../src/scenarios/restart.js";
import { gradeShared } from "../../src/scenarios/shared.js";
import { gradeEvidence } from "../../src/scenarios/store-evidence.js";
import { gradeUnset } from "../../src/scenarios/unset.js";

/** One read through the proxy: which port served it, what it showed, which cookies it set. */
function read(port: number | null, shows: string, setCookie: string[] = []): Observation {
  return { client: "A", path: "/", status: 200, port, shows, setCookie, ms: 1 };
}

const V = "sl-value";
const both = [5001, 5002];
/** Alternating reads, as round-robin over two instances serves them. */
const alternating = (a: string, b: string, cookieOnB: string[] = []) => [
  read(5001, a),
  read(5002, b, cookieOnB),
  read(5001, a),
  read(5002, b, cookieOnB),
];

describe("visibility", () => {
  it.each([
    ["every read shows it", alternating(V, V), "every", [true, true]],
    ["one instance never shows it", alternating(V, ""), "every", [true, false]],
    ["it comes and goes on one instance", [read(5001, V), read(5001, "")], "every", [false]],
    ["any read is enough in any mode", [read(5001, V), read(5001, "")], "any", [true]],
  ] as const)("%s", (_name, reads, mode, saw) => {
    expect(visibility(reads, V, both, mode).map((i) => i.saw)).toEqual(saw);
  });

  it("lists only the instances that served a read, in port order", () => {
    expect(visibility([read(5003, V), read(5001, V), read(null, V)], V, both)).toEqual([
      { port: 5001, saw: true },
      { port: 5003, saw: true },
    ]);
  });
});

describe("gradeShared", () => {
  it.each([
    ["seen on every read", alternating(V, V), "pass", undefined],
    ["no read shows it", alternating("", ""), "fail", "value-not-kept"],
    ["missing on the instance that did not store it", alternating(V, ""), "fail", "own-store"],
    [
      "missing where the other instance answered with a new cookie (explained later)",
      alternating(V, "", ["connect.sid"]),
      "fail",
      "own-store",
    ],
  ] as const)("%s -> %s", (_name, reads, status, causeId) => {
    const verdict = gradeShared({ setOn: 5001, reads, value: V, instances: both });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });
});

describe("gradeUnset", () => {
  it.each([
    ["gone everywhere", alternating("", ""), "pass", undefined],
    [
      "still shown by the instance that unset it",
      alternating(V, ""),
      "fail",
      "/session/unset/ does not remove the value",
    ],
    [
      "still shown by another instance",
      alternating("", V),
      "fail",
      "each instance has its own copy of the session",
    ],
  ] as const)("%s -> %s", (_name, reads, status, cause) => {
    const verdict = gradeUnset({ unsetOn: 5001, reads, value: V, instances: both });
    expect(verdict.status).toBe(status);
    expect(verdict.cause).toBe(cause);
  });
});

describe("gradeIsolation", () => {
  const A = "sl-a";
  const B = "sl-b";
  it.each([
    ["each client sees its own", [read(5001, "")], alternating(B, B), alternating(A, A), "pass"],
    ["B sees A's value", [read(5001, A)], alternating(B, B), alternating(A, A), "fail"],
    ["A sees B's value", [read(5001, "")], alternating(B, B), alternating(A, B), "fail"],
    ["B's own value is missing", [read(5001, "")], alternating(B, ""), alternating(A, A), "fail"],
  ] as const)("%s -> %s", (_name, beforeB, afterB, readsA, status) => {
    const verdict = gradeIsolation({
      valueA: A,
      valueB: B,
      beforeB,
      afterB,
      readsA,
      instances: both,
    });
    expect(verdict.status).toBe(status);
  });

  it.each([
    [[read(5001, "sl-a")], "the app keeps one value for everyone, not one per session"],
    [[read(5001, "")], "each instance reads its own session store"],
  ] as const)("names the cause %#", (beforeB, cause) => {
    const verdict = gradeIsolation({
      valueA: "sl-a",
      valueB: "sl-b",
      beforeB,
      afterB: alternating("sl-b", ""),
      readsA: alternating("sl-a", "sl-a"),
      instances: both,
    });
    expect(verdict.cause).toBe(cause);
  });
});

describe("gradeRestart", () => {
  it.each([
    ["survives the restart", alternating(V, V), alternating(V, V), "pass", undefined],
    [
      "not shared even before",
      alternating(V, ""),
      [],
      "fail",
      "each instance reads its own session store",
    ],
    [
      "lost on every instance after",
      alternating(V, V),
      alternating("", ""),
      "fail",
      "the store does not outlive the process",
    ],
    [
      "lost on one instance after",
      alternating(V, V),
      alternating(V, ""),
      "fail",
      "the store does not outlive the process",
    ],
  ] as const)("%s -> %s", (_name, before, after, status, cause) => {
    const verdict = gradeRestart({ before, after, value: V, instances: both });
    expect(verdict.status).toBe(status);
    expect(verdict.cause).toBe(cause);
  });

  it("says whether all or some instances lost it", () => {
    const all = gradeRestart({
      before: alternating(V, V),
      after: alternating("", ""),
      value: V,
      instances: both,
    });
    const some = gradeRestart({
      before: alternating(V, V),
      after: alternating(V, ""),
      value: V,
      instances: both,
    });
    expect(all.summary).toBe("visible on every instance until the restart, lost after");
    expect(some.summary).toBe("visible until the restart, then lost on :5002");
  });
});

describe("gradeEvidence", () => {
  it.each([
    [true, "sess:abc", undefined, "pass", undefined],
    [true, undefined, false, "fail", "the sessions are not stored in Redis yet"],
    [false, undefined, undefined, "fail", "the sessions are not stored in Redis yet"],
    [
      true,
      undefined,
      true,
      "fail",
      "sessions survive without Redis (one shared folder, or cookies), which breaks as soon as the instances run on separate machines",
    ],
  ] as const)(
    "cookie %s, key %s, shared passed %s -> %s",
    (hasCookie, foundKey, sharedPassed, status, cause) => {
      const verdict = gradeEvidence({
        hasCookie,
        foundKey,
        redis: "redis://127.0.0.1:6379",
        sharedPassed,
      });
      expect(verdict.status).toBe(status);
      expect(verdict.cause).toBe(cause);
    },
  );
});
