import { describe, expect, it } from "vitest";
import type {
  KeyTouch,
  SplitObservations,
  StoreObservations,
} from "../../src/diagnosis/observations.js";
import { firstMatch, SPLIT_RULES, STORE_RULES } from "../../src/diagnosis/observed.js";

const VALUE = "sl-0123456789";
const set = (key: string, db = 2, port = 5001): KeyTouch => ({
  key,
  db,
  command: "SET",
  at: 0,
  port,
  data: `{"value":"${VALUE}"}`,
});
const get = (key: string, db = 2, port = 5002): KeyTouch => ({
  key,
  db,
  command: "GET",
  at: 0,
  port,
});

/** Two instances, a session written by :5001 in database 2, every other observation neutral. */
function split(overrides: Partial<SplitObservations> = {}): SplitObservations & { value: string } {
  return {
    value: VALUE,
    redisLabel: "redis://127.0.0.1:6379/2",
    labDb: 2,
    setter: { port: 5001, touches: [set("sess:abc")] },
    noCookie: false,
    cookieNames: [
      { port: 5001, names: ["sid"] },
      { port: 5002, names: ["sid"] },
    ],
    replays: [
      { port: 5001, sentCookie: true, shows: true, touches: [get("sess:abc", 2, 5001)] },
      { port: 5002, sentCookie: true, shows: false, touches: [] },
    ],
    writes: [
      { port: 5001, count: 3 },
      { port: 5002, count: 3 },
    ],
    shortTtlMs: 60_000,
    fresh: [
      { port: 5001, inAnswer: [set("sess:new1")], after: [], pttlMs: 86_400_000 },
      { port: 5002, inAnswer: [set("sess:new2", 2, 5002)], after: [], pttlMs: 86_400_000 },
    ],
    files: [],
    ...overrides,
  };
}

const noRedis = {
  setter: { port: 5001, touches: [] },
  writes: [],
  fresh: [
    { port: 5001, inAnswer: [], after: [] },
    { port: 5002, inAnswer: [], after: [] },
  ],
};

describe("why a value set on one instance is missing on another: the rules, row by row", () => {
  it.each<[string, Partial<SplitObservations>, string, RegExp]>([
    [
      "a cookie a browser does not send back",
      { cookieTrouble: { line: "sid=x; Path=/session", reason: "its Path=/session excludes /" } },
      "cookie-not-returned",
      /^Set-Cookie: sid=x; Path=\/session$/,
    ],
    [
      "no Set-Cookie at all, though the session was written",
      { noCookie: true },
      "no-cookie",
      /carried no Set-Cookie header[\s\S]*yet :5001 wrote sess:abc in database 2/,
    ],
    [
      "a cookie name per instance",
      {
        cookieNames: [
          { port: 5001, names: ["sid-5001"] },
          { port: 5002, names: ["sid-5002"] },
        ],
      },
      "cookie-name-mismatch",
      /:5001 sets a cookie named sid-5001/,
    ],
    [
      "a write that lands after the answer",
      {
        fresh: [{ port: 5001, inAnswer: [], after: [set("sess:new1")], afterMs: 302 }],
      },
      "late-write",
      /then SET sess:new1 in database 2 arrived 302 ms after the answer/,
    ],
    [
      "a one-second TTL",
      { fresh: [{ port: 5001, inAnswer: [set("sess:new1")], after: [], pttlMs: 980 }] },
      "short-ttl",
      /expires in 980 ms \(PTTL\)/,
    ],
    [
      "the same key read in another database",
      {
        replays: [{ port: 5002, sentCookie: true, shows: false, touches: [get("sess:abc", 3)] }],
      },
      "per-instance-db",
      /:5002 read sess:abc in database 3 and found nothing; :5001 wrote sess:abc in database 2/,
    ],
    [
      "the same id read under another prefix",
      {
        replays: [{ port: 5002, sentCookie: true, shows: false, touches: [get("sess:5002:abc")] }],
      },
      "per-instance-prefix",
      /:5002 read sess:5002:abc in database 2 and found nothing/,
    ],
    [
      "an instance that uses Redis but never looks the session up",
      {
        replays: [{ port: 5002, sentCookie: true, shows: false, reissued: "sid", touches: [] }],
      },
      "secret-mismatch",
      /made it read nothing of that key, and it answered with a new sid cookie/,
    ],
    [
      "no Redis at all, files per instance, a re-issued cookie",
      {
        ...noRedis,
        replays: [{ port: 5002, sentCookie: true, shows: false, reissued: "sid", touches: [] }],
        files: [{ dir: "sessions/5001", port: 5001 }],
      },
      "cookie-reissued",
      /got a new sid cookie back/,
    ],
    [
      "no Redis at all, files per instance",
      {
        ...noRedis,
        replays: [{ port: 5002, sentCookie: true, shows: false, touches: [] }],
        files: [{ dir: "sessions/5001", port: 5001 }],
      },
      "own-store",
      /session files written under sessions\/5001\/, which only :5001 reads/,
    ],
    [
      "no Redis at all, no files",
      { ...noRedis, replays: [{ port: 5002, sentCookie: true, shows: false, touches: [] }] },
      "memory-store",
      /no instance wrote a session to redis:\/\/127\.0\.0\.1:6379\/2 during the check/,
    ],
  ])("%s: %s", (_name, overrides, causeId, evidence) => {
    const found = firstMatch(SPLIT_RULES, split(overrides));
    expect(found?.causeId).toBe(causeId);
    expect(found?.confidence).toBe("confirmed");
    expect(found?.evidence.join("\n")).toMatch(evidence);
  });

  it("names nothing when the replay shows the value everywhere and nothing else is odd", () => {
    const replays = [
      { port: 5001, sentCookie: true, shows: true, touches: [] },
      { port: 5002, sentCookie: true, shows: true, touches: [get("sess:abc")] },
    ];
    expect(firstMatch(SPLIT_RULES, split({ replays }))).toBeUndefined();
  });

  it("does not call a secret mismatch when the visitor had no cookie to send", () => {
    const replays = [{ port: 5002, sentCookie: false, shows: false, touches: [] }];
    expect(firstMatch(SPLIT_RULES, split({ replays }))?.causeId).not.toBe("secret-mismatch");
  });
});

describe("why shared sessions are not in REDIS_URL's Redis: the rules, row by row", () => {
  const store = (o: Partial<StoreObservations>): StoreObservations & { value: string } => ({
    value: VALUE,
    redisLabel: "redis://127.0.0.1:6379/2",
    labDb: 2,
    setter: { port: 5001, touches: [] },
    instanceWrites: 0,
    cookieCarriesValue: false,
    files: [],
    ...o,
  });
  it.each<[string, Partial<StoreObservations>, string | undefined]>([
    [
      "written to database 0",
      { setter: { port: 5001, touches: [set("s:1", 0)] }, instanceWrites: 1 },
      "other-database",
    ],
    [
      "connected to another Redis",
      { otherRedis: { port: 5001, address: "127.0.0.1:6390" } },
      "other-redis",
    ],
    ["the value in the cookie", { cookieCarriesValue: true }, "cookie-only-session"],
    ["one folder for all", { files: [{ dir: "shared" }] }, "shared-folder"],
    ["nothing seen at all", {}, undefined],
  ])("%s: %s", (_name, overrides, causeId) => {
    expect(firstMatch(STORE_RULES, store(overrides))?.causeId).toBe(causeId);
  });
});
