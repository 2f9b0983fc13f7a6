import { describe, expect, it } from "vitest";
import { primariesOf } from "../../src/redis/cluster-view.js";
import {
  findCrossslot,
  findRedirect,
  gradeClusterLogout,
  gradeClusterSessions,
  type PrimaryKeys,
} from "../../src/scenarios/cluster-grading.js";
import { gradeResharding, type ReshardProbe } from "../../src/scenarios/resharding.js";

const primaries = (a: number, b: number, c: number): PrimaryKeys[] => [
  { address: "127.0.0.1:7000", slots: "0–5460", keys: a },
  { address: "127.0.0.1:7001", slots: "5461–10922", keys: b },
  { address: "127.0.0.1:7002", slots: "10923–16383", keys: c },
];
const lostRead = (status: number) => [{ port: 5002, status }];
const MOVED = "MOVED 6986 127.0.0.1:7001";

describe("grading sessions in a Redis Cluster (exercise 06)", () => {
  it.each([
    ["kept, spread over every primary", 10, [], undefined, primaries(4, 3, 3), "pass", undefined],
    [
      "lost, the app told MOVED",
      10,
      Array.from({ length: 7 }, () => lostRead(500)),
      MOVED,
      primaries(3, 0, 0),
      "fail",
      "not-cluster-aware",
    ],
    [
      "lost, no MOVED seen (a custom error page), but every key on REDIS_URL's node",
      10,
      [lostRead(503)],
      undefined,
      primaries(9, 0, 0),
      "fail",
      "not-cluster-aware",
    ],
    [
      "lost, keys on other primaries too: not the cluster's doing",
      10,
      [lostRead(200)],
      undefined,
      primaries(3, 3, 3),
      "fail",
      "value-not-kept",
    ],
    [
      "kept, but nowhere in the cluster",
      10,
      [],
      undefined,
      primaries(0, 0, 0),
      "fail",
      "not-in-redis",
    ],
    [
      "kept, all on one primary (a hash tag in the prefix)",
      40,
      [],
      undefined,
      primaries(0, 40, 0),
      "fail",
      "one-slot",
    ],
  ] as const)("%s", (_, visitors, lost, redirect, found, status, causeId) => {
    const verdict = gradeClusterSessions({ visitors, lost, redirect, primaries: found });
    expect(verdict.status).toBe(status);
    expect(verdict.causeId).toBe(causeId);
  });

  it("names what was observed: how many sessions, MOVED, and where the kept keys are", () => {
    const verdict = gradeClusterSessions({
      visitors: 10,
      lost: Array.from({ length: 7 }, () => lostRead(500)),
      redirect: MOVED,
      primaries: primaries(3, 0, 0),
    });
    expect(verdict.summary).toBe(
      "7 of 10 sessions were not found: the app's Redis answered MOVED for their keys' slots",
    );
    expect(verdict.confidence).toBe("confirmed");
    expect(verdict.evidence).toEqual([
      `the app was told: ${MOVED}`,
      "7 reads answered 500",
      "the kept sessions' keys: :7000 3, :7001 0, :7002 0",
      ":7000 serves slots 0–5460 and holds 3 of them",
      ":7001 serves slots 5461–10922 and holds 0 of them",
      ":7002 serves slots 10923–16383 and holds 0 of them",
    ]);
  });
});

describe("grading log out everywhere in a Redis Cluster (exercise 06)", () => {
  const user = "ada-1";
  const other = "bob-1";
  const loggedOut = [
    { port: 5001, user: "" },
    { port: 5002, user: "" },
  ];
  const stillIn = [
    { port: 5001, user },
    { port: 5002, user },
  ];
  const bob = [
    { port: 5001, user: other },
    { port: 5002, user: other },
  ];
  const CROSS = "CROSSSLOT Keys in request don't hash to the same slot";
  it.each([
    ["everyone logged out, bob kept", 200, undefined, undefined, loggedOut, bob, "pass", undefined],
    ["MOVED first", 500, MOVED, CROSS, stillIn, bob, "fail", "not-cluster-aware"],
    ["one DEL over several slots", 500, undefined, CROSS, stillIn, bob, "fail", "crossslot"],
    ["only this browser", 200, undefined, undefined, stillIn, bob, "fail", "logout-not-everywhere"],
    [
      "bob logged out too",
      200,
      undefined,
      undefined,
      loggedOut,
      loggedOut,
      "fail",
      "logout-too-wide",
    ],
  ] as const)("%s", (_, status, redirect, crossslot, sameUser, otherUser, verdict, causeId) => {
    const graded = gradeClusterLogout({
      user,
      other,
      status,
      redirect,
      crossslot,
      sameUser,
      otherUser,
    });
    expect(graded.status).toBe(verdict);
    expect(graded.causeId).toBe(causeId);
  });

  it("says what CROSSSLOT did to the other browser", () => {
    const graded = gradeClusterLogout({
      user,
      other,
      status: 500,
      redirect: undefined,
      crossslot: CROSS,
      sameUser: stillIn,
      otherUser: bob,
    });
    expect(graded.summary).toBe(
      "/logout-everywhere answered 500: one command over the user's keys met CROSSSLOT (their keys are in different slots), and the other browser is still logged in on :5001, :5002",
    );
    expect(graded.evidence).toEqual([`the app was told: ${CROSS}`]);
  });
});

describe("finding Redis's answers in pages and logs", () => {
  it.each([
    [
      "an express error page",
      "<pre>ReplyError: MOVED 866 127.0.0.1:30002<br> &nbsp;at",
      "MOVED 866 127.0.0.1:30002",
    ],
    ["a log line, ASK", "ReplyError: ASK 12 127.0.0.1:7003", "ASK 12 127.0.0.1:7003"],
    ["a word that is not a redirection", "the sessions MOVED to Redis", undefined],
  ])("%s", (_, text, found) => {
    expect(findRedirect([text])).toBe(found);
  });

  it("reads CROSSSLOT out of an HTML page, unescaped", () => {
    expect(
      findCrossslot([
        "<pre>ReplyError: CROSSSLOT Keys in request don&#39;t hash to the same slot<br> &nbsp; &nbsp;at",
      ]),
    ).toBe("CROSSSLOT Keys in request don't hash to the same slot");
  });

  it("reads CLUSTER SLOTS as primaries, REDIS_URL's first", () => {
    const reply = [
      [10923, 16383, ["127.0.0.1", 7002, "c"], ["127.0.0.1", 7005, "f"]],
      [0, 5460, ["127.0.0.1", 7000, "a"], ["127.0.0.1", 7003, "d"]],
      [5461, 10922, ["127.0.0.1", 7001, "b"], ["127.0.0.1", 7004, "e"]],
      [16000, 16000, ["127.0.0.1", 7001, "b"]],
    ];
    expect(primariesOf(reply, "127.0.0.1:7001")).toEqual([
      {
        address: "127.0.0.1:7001",
        slots: [
          [5461, 10922],
          [16000, 16000],
        ],
      },
      { address: "127.0.0.1:7000", slots: [[0, 5460]] },
      { address: "127.0.0.1:7002", slots: [[10923, 16383]] },
    ]);
  });
});

describe("grading a resharding under a visitor (exercise 06)", () => {
  const ok = (phase: "while" | "after", path = "/"): ReshardProbe => ({
    phase,
    path,
    status: 200,
    ok: true,
  });
  const failed = (phase: "while" | "after", path = "/"): ReshardProbe => ({
    phase,
    path,
    status: 500,
    ok: false,
  });
  const move = { slot: 16329, from: "127.0.0.1:7002", to: "127.0.0.1:7000" };

  it("passes when every request during and after the move showed the session", () => {
    const verdict = gradeResharding({
      ...move,
      probes: [ok("while"), ok("while"), ok("after"), ok("after")],
      redirect: undefined,
    });
    expect(verdict.status).toBe("pass");
    expect(verdict.summary).toBe(
      "the visitor's slot 16329 moved from :7002 to :7000 under 4 requests: every one showed the session (ASK while it moved, MOVED after, followed by the client)",
    );
  });

  it.each([
    [
      "ASK not followed while the slot moves",
      [failed("while"), ok("after")],
      "ASK 16329 127.0.0.1:7000",
      "1 while it moved, 0 after",
    ],
    [
      "MOVED not followed after it moved",
      [ok("while"), failed("after")],
      "MOVED 16329 127.0.0.1:7000",
      "0 while it moved, 1 after",
    ],
    [
      "both, no error text seen",
      [failed("while"), failed("after", "/session/set/x")],
      undefined,
      "1 while it moved, 1 after",
    ],
  ] as const)("%s", (_, probes, redirect, counts) => {
    const verdict = gradeResharding({ ...move, probes, redirect });
    expect(verdict).toMatchObject({ status: "fail", causeId: "redirect-not-followed" });
    expect(verdict.summary).toContain(counts);
    expect(verdict.evidence?.[0]).toBe(
      redirect ? `the app was told: ${redirect}` : "while it moved: GET / answered 500",
    );
  });
});
