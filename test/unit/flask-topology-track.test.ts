import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Observation, Verdict } from "../../src/model/results.js";
import { hintFor } from "../../src/model/track.js";
import {
  gradeClusterLogout,
  gradeClusterSessions,
  type PrimaryKeys,
} from "../../src/scenarios/cluster-grading.js";
import { gradeFailover, switchFigures } from "../../src/scenarios/failover.js";
import { gradeLogoutEverywhere, gradeLogoutOne } from "../../src/scenarios/logout.js";
import { gradeResharding } from "../../src/scenarios/resharding.js";
import { findExercise } from "../../src/workspace/catalogue.js";

/** What the Node track's libraries are called: never in a Flask track's words. */
const NODE_LIBRARIES = /connect-redis|ioredis|express-session|req\.session/;

const read = (shows: string, port = 5001, status = 200): Observation => ({
  client: "A",
  path: "/",
  status,
  port,
  shows,
  setCookie: [],
  ms: 1,
});
const primaries = (a: number, b: number, c: number): PrimaryKeys[] => [
  { address: "127.0.0.1:7000", slots: "0–5460", keys: a },
  { address: "127.0.0.1:7001", slots: "5461–10922", keys: b },
  { address: "127.0.0.1:7002", slots: "10923–16383", keys: c },
];
const switched = switchFigures([{ atMs: 0, ok: false, status: 500 }], 500);
const ada = { user: "ada", other: "bob" };

/** Every failure the scenarios of exercises 05 and 06 grade, and what the Flask text must name. */
const FAILURES: [string, Verdict, RegExp][] = [
  [
    "05 readonly-after-failover",
    gradeFailover({
      kind: "failover",
      figures: switched,
      readsAfter: [{ port: 5001, saw: true }],
      writesAfter: [read("", 5001, 500)],
      expected: ["v1"],
    }),
    /redis-py.*Sentinel.*master_for/,
  ],
  [
    "05 no-failover-follow",
    gradeFailover({
      kind: "hang",
      figures: switchFigures(
        [
          { atMs: 0, ok: false, status: 500 },
          { atMs: 900, ok: false, status: 500 },
        ],
        500,
      ),
      readsAfter: [{ port: 5001, saw: true }],
      writesAfter: [read("v1")],
      expected: ["v1"],
    }),
    /socket_timeout/,
  ],
  [
    "05 sessions-lost-in-failover",
    gradeFailover({
      kind: "failover",
      figures: switched,
      readsAfter: [{ port: 5001, saw: false }],
      writesAfter: [read("v1")],
      expected: ["v1"],
    }),
    /REDIS_MASTER_NAME/,
  ],
  [
    "06 not-cluster-aware",
    gradeClusterSessions({
      visitors: 10,
      lost: [[{ port: 5001, status: 500 }]],
      redirect: "MOVED 6986 127.0.0.1:7001",
      primaries: primaries(3, 0, 0),
    }),
    /redis-py's `RedisCluster/,
  ],
  [
    "06 value-not-kept",
    gradeClusterSessions({
      visitors: 10,
      lost: [[{ port: 5001, status: 200 }]],
      redirect: undefined,
      primaries: primaries(1, 1, 1),
    }),
    /Flask-Session's SESSION_REDIS/,
  ],
  [
    "06 crossslot",
    gradeClusterLogout({
      ...ada,
      status: 500,
      redirect: undefined,
      crossslot: "CROSSSLOT Keys in request don't hash to the same slot",
      sameUser: [{ port: 5001, user: "ada" }],
      otherUser: [{ port: 5001, user: "bob" }],
    }),
    /hash tag/,
  ],
  [
    "06 redirect-not-followed",
    gradeResharding({
      slot: 1,
      from: "127.0.0.1:7000",
      to: "127.0.0.1:7001",
      probes: [{ phase: "while", path: "/", status: 500, ok: false }],
      redirect: "ASK 1 127.0.0.1:7001",
    }),
    /redis-py's `RedisCluster`/,
  ],
  [
    "06 logout-not-everywhere",
    gradeLogoutEverywhere({
      ...ada,
      sameUser: [{ port: 5001, user: "ada" }],
      otherUser: [],
      keysLeft: [],
    }),
    /Redis set/,
  ],
  [
    "02 session-left-in-redis",
    gradeLogoutEverywhere({
      ...ada,
      sameUser: [],
      otherUser: [{ port: 5001, user: "bob" }],
      keysLeft: ["sess:abc"],
    }),
    /SESSION_KEY_PREFIX/,
  ],
  [
    "06 logout-not-ending",
    gradeLogoutOne({ user: "eve", loggedOut: [{ port: 5001, user: "eve" }], other: [] }),
    /session\.clear\(\)/,
  ],
];

describe("exercises 05 and 06 in the Flask track's words (Flask-Session, redis-py)", () => {
  it.each(FAILURES)("%s: the Flask hint names no Node library", (_name, verdict, flask) => {
    expect(verdict.status).toBe("fail");
    expect(verdict.hint).toBeDefined();
    const hint = verdict.hint ?? "";
    expect(hintFor(hint, "python")).not.toMatch(NODE_LIBRARIES);
    expect(hintFor(hint, "python")).toMatch(flask);
  });

  it.each([
    ["05-redis-failover", /ioredis/],
    ["06-redis-cluster", /ioredis/],
    ["06-redis-cluster", /connect-redis/],
  ])("%s keeps its Node hint (%s)", async (id, library) => {
    const verdicts = FAILURES.filter(([name]) => name.startsWith(id.slice(0, 2)));
    const nodeTexts = verdicts.map(([, v]) => hintFor(v.hint ?? "", "node")).join("\n");
    expect(nodeTexts).toMatch(library);
  });

  it.each([
    [
      "05-redis-failover-flask",
      "05-redis-failover",
      /Sentinel\(.*\)\.master_for\(/,
      /\.master_for\(/,
    ],
    [
      "06-redis-cluster-flask",
      "06-redis-cluster",
      /RedisCluster\(startup_nodes/,
      /RedisCluster\(startup_nodes/,
    ],
  ])(
    "%s is the Flask track of %s: same scenarios and cause, hints and brief in its words",
    async (id, main, client, solved) => {
      const [flask, node] = await Promise.all([findExercise(id), findExercise(main)]);
      expect(flask).toMatchObject({
        runtime: "python",
        entry: "app.py",
        alternativeTo: main,
        redis: node.redis,
        scenarios: node.scenarios,
        starterCause: node.starterCause,
      });
      const readme = await readFile(join(flask.starterDir, "README.md"), "utf8");
      for (const text of [...flask.hints, flask.goal, readme])
        expect(text).not.toMatch(NODE_LIBRARIES);
      expect(flask.hints.join("\n")).toMatch(client);
      expect(flask.hints.join("\n")).toMatch(/Flask-Session/);
      const solution = await readFile(join(flask.solutionDir, "app.py"), "utf8");
      expect(solution).toMatch(solved);
      expect(solution).toMatch(/SESSION_REDIS"\] = /);
    },
  );
});
