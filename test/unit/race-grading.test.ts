import { describe, expect, it } from "vitest";
import { idsOf } from "../../src/scenarios/fixation.js";
import {
  gradeFixation,
  gradeLogoutUndone,
  gradeLostUpdate,
  type RaceTiming,
} from "../../src/scenarios/race-grading.js";

const provoked: RaceTiming = { slowPort: 5001, othersFirst: true, delayMs: 1000 };
const unseen: RaceTiming = { slowPort: undefined, othersFirst: false, delayMs: 1000 };
const slowFirst: RaceTiming = { slowPort: 5001, othersFirst: false, delayMs: 1000 };
const items = ["a", "b", "c", "d", "e"];
const cart = (held: string[], port = 5001) => ({ port, held });

describe("lost updates (exercise 07)", () => {
  it.each([
    ["every item on every read", [cart(items), cart(items, 5002)], provoked, "pass", undefined],
    [
      "one read misses one item",
      [cart(items), cart(["a", "b", "c", "d"], 5002)],
      provoked,
      "fail",
      "lost-update",
    ],
    [
      "items lost, even when the slow one answered first",
      [cart(["a"])],
      slowFirst,
      "fail",
      "lost-update",
    ],
    [
      "nothing lost, but nothing overlapped",
      [cart(items)],
      slowFirst,
      "error",
      "race-not-provoked",
    ],
    ["nothing lost, the slow read never seen", [cart(items)], unseen, "error", "race-not-provoked"],
  ] as const)("%s: %s", (_name, reads, timing, status, causeId) => {
    const verdict = gradeLostUpdate({ items, reads, timing, writes: [] });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });

  it("says how many were lost, what the cart holds and who wrote last", () => {
    const verdict = gradeLostUpdate({
      items,
      reads: [cart(["a", "c"], 5002)],
      timing: provoked,
      writes: [
        { port: 5002, afterMs: 12 },
        { port: 5001, afterMs: 1004.6 },
      ],
    });
    expect(verdict.summary).toBe(
      "3 of 5 items added at the same time were lost: the cart holds a, c (read on :5002)",
    );
    expect(verdict.confidence).toBe("confirmed");
    expect(verdict.evidence).toEqual([
      "the slow addition (?delay=1000) was under way on :5001 while the other 4 were added",
      "the session key was written 2 times meanwhile, by :5001, :5002; the last write (:5001) came 1005 ms after the slow request read the session",
    ]);
  });

  it("names an empty cart", () => {
    const verdict = gradeLostUpdate({ items, reads: [cart([])], timing: provoked, writes: [] });
    expect(verdict.summary).toContain(
      "5 of 5 items added at the same time were lost: the cart holds nothing",
    );
  });
});

describe("a logout undone by a slow request (exercise 07)", () => {
  const facts = {
    user: "ada",
    keyBack: false,
    key: "sess:abc",
    writesAfter: [],
    oldCookie: [
      { port: 5001, user: "" },
      { port: 5002, user: "" },
    ],
    logoutPort: 5002,
    timing: provoked,
  };

  it("passes when the key is gone and the old cookie is anonymous everywhere", () => {
    expect(gradeLogoutUndone(facts)).toMatchObject({ status: "pass" });
  });

  it("fails when the key came back, naming when and who wrote it", () => {
    const verdict = gradeLogoutUndone({
      ...facts,
      keyBack: true,
      writesAfter: [{ port: 5001, afterMs: 120.2 }],
      oldCookie: [
        { port: 5001, user: "ada" },
        { port: 5002, user: "ada" },
      ],
    });
    expect(verdict.causeId).toBe("logout-undone");
    expect(verdict.summary).toBe(
      "the session key came back 120 ms after logout, written by :5001; the old cookie is logged in as ada again on :5001, :5002",
    );
    expect(verdict.evidence).toContain("sess:abc written 120 ms after logout by :5001");
  });

  it("fails on the old cookie alone, when no write was seen", () => {
    const verdict = gradeLogoutUndone({ ...facts, oldCookie: [{ port: 5002, user: "ada" }] });
    expect(verdict.causeId).toBe("logout-undone");
    expect(verdict.summary).toContain(
      "the session key is gone; the old cookie is logged in as ada again on :5002",
    );
  });

  it("fails when the key is back though no write was seen", () => {
    expect(gradeLogoutUndone({ ...facts, keyBack: true }).summary).toMatch(
      /^the session key is in Redis again after logout; the old cookie is anonymous/,
    );
  });

  it.each([
    ["the slow request answered before /logout", slowFirst],
    ["the slow request was never seen reading the session", unseen],
  ])("does not grade a pass when %s", (_name, timing) => {
    expect(gradeLogoutUndone({ ...facts, timing })).toMatchObject({
      status: "error",
      causeId: "race-not-provoked",
    });
  });
});

describe("session fixation (exercise 07)", () => {
  it.each([
    ["a new id, the planted one anonymous", false, ["", ""], "pass", undefined],
    ["the same id after login", true, ["ada", "ada"], "fail", "session-fixation"],
    [
      "the same id, even if the planted copy reads anonymous",
      true,
      ["", ""],
      "fail",
      "session-fixation",
    ],
    ["a new id, but the old one logged in too", false, ["", "ada"], "fail", "old-session-accepted"],
  ] as const)("%s", (_name, sameId, users, status, causeId) => {
    const planted = users.map((user, i) => ({ port: 5001 + i, user }));
    const verdict = gradeFixation({ user: "ada", sameId, planted });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });

  it("reads only the session cookie when its name is known", () => {
    const header = "csrf=stays-the-same-123; connect.sid=s%3AabcdefghIJ.sig123";
    const ids = idsOf(header, ["connect.sid"]);
    expect(ids.has("abcdefghIJ")).toBe(true);
    expect(ids.has("stays-the-same-123")).toBe(false);
    expect(idsOf(header).has("stays-the-same-123")).toBe(true);
  });

  it.each([
    ["connect.sid=s%3AabcdefghIJ.sig123", ["abcdefghIJ"]],
    ["session=0123456789abcdef; other=x", ["0123456789abcdef"]],
    [undefined, []],
  ])("idsOf(%j) holds %j", (header, expected) => {
    const ids = idsOf(header);
    for (const id of expected) expect(ids.has(id)).toBe(true);
    if (expected.length === 0) expect(ids.size).toBe(0);
  });
});
