import { describe, expect, it } from "vitest";
import { board } from "../../src/commands/board.js";
import { check } from "../../src/commands/check.js";
import { join } from "../../src/commands/join.js";
import { solution } from "../../src/commands/solution.js";
import { exitCodeFor } from "../../src/main.js";
import { connectRoom, inboxKey, roomConnection, roomKeys } from "../../src/redis/room-store.js";
import { readMembership } from "../../src/room/membership.js";
import { newAttendeeId, publishToRoom } from "../../src/room/publish.js";
import { labRunOptions, sessionApp, tempDir } from "../support/lab.js";
import { joinUrl, ownRedis, runBoard } from "../support/room.js";

describe("the room board", () => {
  it("shows three attendees' real checks, survives its own restart and Redis's", async () => {
    await using redis = await ownRedis();
    await using starter = await tempDir();
    await using solved = await tempDir();
    await using broken = await tempDir();
    let room = await runBoard(redis.url, "day-1", { createUser: true });
    try {
      expect(room.banner.access).toBe("user-created");
      const url = joinUrl(room.banner.joinLine);
      for (const [dir, name] of [
        [starter.path, "Ada"],
        [solved.path, "Grace"],
        [broken.path, "Linus"],
      ] as const) {
        await join({ url, name, dir, emit: () => {} });
      }
      await solution({ exercise: undefined, dir: solved.path, apply: true, emit: () => {} });
      const grade = (dir: string, extra = {}, env = {}) =>
        check(
          labRunOptions(dir, { redisUrl: redis.url, env: { ...process.env, ...env }, ...extra }),
        );
      await grade(starter.path);
      await grade(solved.path);
      await grade(
        broken.path,
        { cmd: `node ${sessionApp}` },
        { FIXTURE_STORE: "redis", FIXTURE_SECRET: "per-instance" },
      );

      const expected = [
        { name: "Ada", verdict: "fail", causeId: "own-store" },
        { name: "Grace", verdict: "pass", causeId: "" },
        { name: "Linus", verdict: "fail", causeId: "secret-mismatch" },
      ];
      const tiles = async () =>
        (await room.state()).view.tiles
          .map(({ name, verdict, causeId }) => ({ name, verdict, causeId }))
          .sort((a, b) => a.name.localeCompare(b.name));
      await expect.poll(tiles, { timeout: 3000 }).toEqual(expected);

      // A restarted board rebuilds the room from Redis.
      await room.stop();
      room = await runBoard(redis.url, "day-1", { createUser: true });
      expect(await tiles()).toEqual(expected);

      // Redis goes away: the board says so, and recovers by itself when it is back.
      await redis.stop();
      await expect.poll(async () => (await room.state()).up, { timeout: 5000 }).toBe(false);
      await redis.start();
      await expect.poll(async () => (await room.state()).up, { timeout: 10_000 }).toBe(true);
      // A Redis without persistence lost the attendee user: the board makes it again.
      const joined = {
        type: "joined" as const,
        name: "Ada",
        at: new Date().toISOString(),
        version: "t",
      };
      const ada = (await readMembership(starter.path))?.id;
      await expect
        .poll(
          () =>
            publishToRoom(url, joined, ada).then(
              () => true,
              () => false,
            ),
          { timeout: 5000 },
        )
        .toBe(true);
      await grade(starter.path, { cmd: `node ${sessionApp}` }, { FIXTURE_STORE: "redis" });
      await expect
        .poll(async () => (await tiles()).find((t) => t.name === "Ada")?.verdict, { timeout: 5000 })
        .toBe("pass");
      expect(
        room.events
          .filter((e) => e.type === "board:redis")
          .map((e) => e.type === "board:redis" && e.up),
      ).toEqual([false, true]);
    } finally {
      await room.stop();
    }
  });

  it("skips foreign and malformed entries, and the attendee user may only append", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "day-2", { createUser: true });
    const keys = roomKeys("day-2");
    const admin = roomConnection(redis.url, { retry: false });
    await connectRoom(admin, redis.url);
    try {
      // Entries in an attendee's inbox that are not events are counted; the board's own
      // stream is written by the board, never read as attendees' input.
      const inbox = inboxKey(keys, newAttendeeId());
      await admin.xadd(inbox, "*", "foo", "bar");
      await admin.xadd(inbox, "*", "schema", "session-lab/room@1", "data", "{not json");
      await admin.hset(keys.joins, inbox.slice(inbox.lastIndexOf(":") + 1), "1");
      await admin.xadd(keys.events, "*", "schema", "session-lab/room@1", "data", "{not json");
    } finally {
      admin.disconnect();
    }
    await expect.poll(async () => (await room.state()).view.skipped, { timeout: 3000 }).toBe(2);

    const attendee = joinUrl(room.banner.joinLine);
    await publishToRoom(attendee, {
      type: "joined",
      name: "Ada",
      at: new Date().toISOString(),
      version: "t",
    });
    const { redisUrl } = { redisUrl: attendee.slice(0, attendee.indexOf("#")) };
    const limited = roomConnection(redisUrl, { retry: false });
    await connectRoom(limited, redisUrl);
    try {
      await expect(limited.hgetall(keys.latest)).rejects.toThrow(/NOPERM/);
      await expect(limited.set("someone-else:key", "x")).rejects.toThrow(/NOPERM/);
      await expect(limited.xadd(keys.events, "*", "a", "b")).rejects.toThrow(/NOPERM/);
      await expect(limited.expire(keys.joins, 1)).rejects.toThrow(/NOPERM/);
    } finally {
      limited.disconnect();
    }
  });

  it("refuses a Redis without streams (before 5.0) in one sentence, exit 2", async () => {
    // A Redis 4 answers the stream commands with "unknown command"; so does one that has them
    // renamed away.
    const streamless = ["XLEN", "XADD", "XREAD", "XRANGE", "XREVRANGE"].flatMap((c) => [
      "--rename-command",
      c,
      "",
    ]);
    await using redis = await ownRedis(streamless);
    const refused = await board({
      redisUrl: redis.url,
      room: "old-redis",
      host: "127.0.0.1",
      port: 0,
      createUser: false,
      exportTo: undefined,
      stuck: { sameCause: 3, minutes: 10 },
      emit: () => {},
      signal: AbortSignal.abort(),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as Error).message).toBe(
      "This Redis has no streams (XADD), which the room board needs: it is older than Redis 5.",
    );
    expect(exitCodeFor({ error: refused })).toBe(2);
  });
});
