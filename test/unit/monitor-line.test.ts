import { describe, expect, it } from "vitest";
import {
  CommandLog,
  clientName,
  cutArg,
  decodeMonitorEvent,
  keysOf,
  MAX_ARG_CHARS,
  refusalOf,
  type SeenCommand,
  unescapeArg,
} from "../../src/redis/monitor-line.js";

describe("decodeMonitorEvent", () => {
  // What ioredis hands its "monitor" listener for recorded MONITOR lines of Redis 7.0.
  it.each([
    [
      '1796235489.958577 [3 127.0.0.1:48186] "set" "a" "1"',
      ["1796235489.958577", ["set", "a", "1"], "127.0.0.1:48186", "3"],
      { at: 1796235489958.577, db: 3, client: "127.0.0.1:48186", name: "SET", args: ["a", "1"] },
    ],
    [
      '1796235489.965969 [4 [::1]:53054] "get" "a"',
      ["1796235489.965969", ["get", "a"], "[::1]:53054", "4"],
      { at: 1796235489965.969, db: 4, client: "[::1]:53054", name: "GET", args: ["a"] },
    ],
    [
      "a unix socket client",
      ["1796235489.973177", ["get", "b"], "unix:/tmp/redis.sock", "5"],
      { at: 1796235489973.177, db: 5, client: "unix:/tmp/redis.sock", name: "GET", args: ["b"] },
    ],
    [
      "a command a script ran",
      ["1796235489.992330", ["select", "8"], "lua", "8"],
      { at: 1796235489992.33, db: 8, client: "lua", name: "SELECT", args: ["8"] },
    ],
    [
      "an IPv4-mapped client",
      ["1.5", ["PING"], "[::ffff:127.0.0.1]:5000", "0"],
      { at: 1500, db: 0, client: "127.0.0.1:5000", name: "PING", args: [] },
    ],
    [
      'escapes and UTF-8 bytes (ioredis has undone only \\")',
      ["2", ["set", "q2", 'h\\xc3\\xa9\\\\\\\\ \\n"x"'], "127.0.0.1:1", "0"],
      { at: 2000, db: 0, client: "127.0.0.1:1", name: "SET", args: ["q2", 'hé\\\\ \n"x"'] },
    ],
    [
      "more than 8 arguments",
      ["3", ["del", ..."abcdefghij"], "127.0.0.1:1", "0"],
      { at: 3000, db: 0, client: "127.0.0.1:1", name: "DEL", args: [..."abcdefgh"] },
    ],
    [
      "unreadable time and database",
      ["soon", ["ping"], "127.0.0.1:1", "x"],
      { at: 0, db: -1, client: "127.0.0.1:1", name: "PING", args: [] },
    ],
  ])("%s", (_, [time, args, source, database], expected) => {
    expect(decodeMonitorEvent(time, args, source, database)).toEqual(expected);
  });

  it.each([
    ["no arguments", []],
    ["not an array", "set a 1"],
    ["an empty name", [""]],
  ])("%s: undefined", (_, args) => {
    expect(decodeMonitorEvent("1", args, "127.0.0.1:1", "0")).toBeUndefined();
  });
});

describe("arguments", () => {
  const long = "x".repeat(5000);
  it.each([
    ["short", "abc", "abc"],
    ["long, cut", long, "x".repeat(MAX_ARG_CHARS)],
    [
      "a cut that would split a surrogate pair",
      `${"x".repeat(MAX_ARG_CHARS - 1)}😀`,
      "x".repeat(MAX_ARG_CHARS - 1),
    ],
    ["exactly the limit", "y".repeat(MAX_ARG_CHARS), "y".repeat(MAX_ARG_CHARS)],
  ])("cutArg: %s", (_, text, expected) => {
    expect(cutArg(text)).toBe(expected);
  });

  it.each([
    ["plain", "abc", "abc"],
    ["a backslash", "a\\\\b", "a\\b"],
    ["a quote left escaped", 'a\\"b', 'a"b'],
    ["control characters", "\\r\\n\\t\\a\\b", "\r\n\t\x07\b"],
    ["hex bytes of UTF-8", "\\xe2\\x82\\xac", "€"],
    ["a literal \\x41 (an escaped backslash, then x41)", "\\\\x41", "\\x41"],
    ["a trailing backslash", "a\\", "a\\"],
  ])("unescapeArg: %s", (_, text, expected) => {
    expect(unescapeArg(text)).toBe(expected);
  });

  it("decodes a long escaped value only as far as it keeps", () => {
    const escaped = "\\xc3\\xa9".repeat(100_000);
    expect(cutArg(unescapeArg(escaped))).toBe("é".repeat(MAX_ARG_CHARS));
  });
});

describe("keysOf", () => {
  const cmd = (name: string, ...args: string[]) => ({ name, args });
  it.each([
    [cmd("GET", "sess:1"), ["sess:1"]],
    [cmd("SET", "sess:1", "{}", "EX", "86400"), ["sess:1"]],
    [cmd("SETEX", "sess:1", "86400", "{}"), ["sess:1"]],
    [cmd("PSETEX", "k", "1000", "v"), ["k"]],
    [cmd("SETNX", "k", "v"), ["k"]],
    [cmd("GETEX", "k", "EX", "5"), ["k"]],
    [cmd("GETDEL", "k"), ["k"]],
    [cmd("DEL", "a", "b"), ["a", "b"]],
    [cmd("UNLINK", "a", "b", "c"), ["a", "b", "c"]],
    [cmd("EXPIRE", "k", "10"), ["k"]],
    [cmd("PEXPIRE", "k", "10"), ["k"]],
    [cmd("PEXPIREAT", "k", "10"), ["k"]],
    [cmd("EXPIREAT", "k", "10"), ["k"]],
    [cmd("TTL", "k"), ["k"]],
    [cmd("PTTL", "k"), ["k"]],
    [cmd("EXISTS", "a", "b"), ["a", "b"]],
    [cmd("HGET", "h", "f"), ["h"]],
    [cmd("HSET", "h", "f", "v", "g", "w"), ["h"]],
    [cmd("HMSET", "h", "f", "v"), ["h"]],
    [cmd("HGETALL", "h"), ["h"]],
    [cmd("HDEL", "h", "f"), ["h"]],
    [cmd("MGET", "a", "b", "c"), ["a", "b", "c"]],
    [cmd("MSET", "a", "1", "b", "2"), ["a", "b"]],
    [cmd("SADD", "s", "m1", "m2"), ["s"]],
    [cmd("SREM", "s", "m1"), ["s"]],
    [cmd("SMEMBERS", "s"), ["s"]],
    [cmd("ZADD", "z", "1", "m"), ["z"]],
    [cmd("TOUCH", "a", "b"), ["a", "b"]],
    [cmd("TYPE", "k"), ["k"]],
    [cmd("SCAN", "0", "MATCH", "sess:*"), []],
    [cmd("KEYS", "sess:*"), []],
    [cmd("PING"), []],
    [cmd("GET"), []],
  ])("%j → %j", (command, keys) => {
    expect(keysOf(command)).toEqual(keys);
  });
});

describe("clientName", () => {
  it.each([
    ["127.0.0.1", 5000, "127.0.0.1:5000"],
    ["::ffff:127.0.0.1", 5000, "127.0.0.1:5000"],
    ["::1", 5000, "[::1]:5000"],
  ])("%s %d → %s", (address, port, expected) => {
    expect(clientName(address, port)).toBe(expected);
  });
});

describe("refusalOf", () => {
  it.each([
    [
      "NOPERM this user has no permissions to run the 'monitor' command",
      /may not run MONITOR \(NOPERM\)/,
    ],
    [
      "ERR unknown command 'MONITOR', with args beginning with: ",
      /no MONITOR command \(renamed or disabled\)/,
    ],
    [
      "WRONGPASS invalid username-password pair or user is disabled.",
      /refused the user or password \(WRONGPASS\)/,
    ],
    [
      "connect ECONNREFUSED 127.0.0.1:1",
      /^Redis at redis:\/\/h:1 is unreachable \(connect ECONNREFUSED/,
    ],
    ["connect ETIMEDOUT", /unreachable/],
    ["Command timed out", /did not answer MONITOR in time/],
    [
      "LOADING Redis is loading the dataset in memory",
      /^MONITOR failed on Redis at redis:\/\/h:1 \(LOADING/,
    ],
  ])("%s", (message, expected) => {
    expect(refusalOf(message, "redis://h:1")).toMatch(expected);
  });
});

describe("CommandLog", () => {
  const seen = (n: number): SeenCommand => ({
    at: n,
    db: 0,
    client: "c",
    name: "GET",
    args: [String(n)],
  });
  const ats = (commands: readonly SeenCommand[]) => commands.map((c) => c.at);

  it.each([
    [2, 0, [], 0],
    [2, 2, [0, 1], 0],
    [3, 5, [2, 3, 4], 2],
    [1, 4, [3], 3],
  ])("limit %d after %d pushes keeps %j, dropped %d", (limit, pushes, kept, dropped) => {
    const log = new CommandLog(limit);
    for (let i = 0; i < pushes; i++) log.push(seen(i));
    expect(ats(log.since(0))).toEqual(kept);
    expect(log.dropped).toBe(dropped);
    expect(log.total).toBe(pushes);
  });

  it("gives what came after a cursor, even once the oldest are dropped", () => {
    const log = new CommandLog(3);
    log.push(seen(0));
    const cursor = log.total;
    for (let i = 1; i < 4; i++) log.push(seen(i));
    expect(ats(log.since(cursor))).toEqual([1, 2, 3]);
    log.push(seen(4));
    expect(ats(log.since(cursor))).toEqual([2, 3, 4]);
    expect(ats(log.since(log.total))).toEqual([]);
  });
});
