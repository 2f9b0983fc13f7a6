import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { formatRoomUrl } from "../../src/room/room-url.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";
import { ownRedis, runBoard } from "../support/room.js";

describe("join, leave and the board, from the command line", () => {
  it.each([
    [["join", "redis://127.0.0.1:6379", "--name", "Ada"], /has no room name after #/],
    [
      ["join", "http://127.0.0.1:6379#day", "--name", "Ada"],
      /must start with redis:\/\/ or rediss:\/\//,
    ],
    [["join", "redis://127.0.0.1:6379#day 1", "--name", "Ada"], /is not a room name/],
    [["join", "redis://127.0.0.1:6379#day", "--name", "  "], /--name is empty/],
    [
      ["join", "redis://127.0.0.1:6379#day", "--name", "x".repeat(41)],
      /--name is 41 characters long/,
    ],
    [["board", "--room", "no spaces please"], /is not a room name/],
  ])("%j: one sentence, exit 2", async (args, message) => {
    await using dir = await tempDir();
    const { code, output } = await runCli(args, {
      cwd: dir.path,
      env: { REDIS_URL: "redis://127.0.0.1:1" },
    }).exited;
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("board without a Redis says which one it needs", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["board"], { cwd: dir.path, env: { REDIS_URL: "" } })
      .exited;
    expect(code).toBe(2);
    expect(output).toMatch(/The board needs the Redis the room lives in/);
  });

  it("a refused password and an unreachable Redis are told apart, each with its next step", async () => {
    await using redis = await ownRedis();
    await using dir = await tempDir();
    await mkdir(join(dir.path, "workshop"));
    const wrongUser = redis.url.replace("redis://", "redis://someone:wrong@");
    const refused = await runCli(["join", formatRoomUrl(wrongUser, "day-1"), "--name", "Ada"], {
      cwd: dir.path,
    }).exited;
    expect(refused.code).toBe(2);
    expect(refused.output).toMatch(/refused the user and password \(WRONGPASS\)/);
    expect(refused.output).toMatch(/Copy the join line your instructor gave you again/);
    expect(refused.output).not.toMatch(/unreachable|Stream isn't writeable/);

    const board = await runCli(["board", "--room", "day-1", "--redis-url", "redis://127.0.0.1:1"], {
      cwd: dir.path,
    }).exited;
    expect(board.code).toBe(2);
    expect(board.output).toMatch(/is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
    expect(board.output).toMatch(/Is that Redis running and reachable from here\?/);
    expect(board.output).not.toMatch(/your instructor gave you/);
  });

  it("an unknown room, then a check published, one skipped, and one the room cannot take", async () => {
    await using redis = await ownRedis();
    await using dir = await tempDir();
    await mkdir(join(dir.path, "workshop"));
    const unknown = await runCli(["join", formatRoomUrl(redis.url, "nope"), "--name", "Ada"], {
      cwd: dir.path,
    }).exited;
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/There is no room called "nope"/);

    await using room = await runBoard(redis.url, "day-1");
    const joined = await runCli(["join", formatRoomUrl(redis.url, "day-1"), "--name", "Ada"], {
      cwd: dir.path,
    }).exited;
    expect(joined.output).toMatch(/Joined the room day-1 as Ada/);
    const listed = await runCli(["list"], { cwd: dir.path }).exited;
    expect(listed.output).toMatch(/sent to the room day-1 as Ada/);

    const checked = await runCli(["check", "--redis-url", redis.url], { cwd: dir.path }).exited;
    expect(checked.code).toBe(1);
    expect(checked.output).toMatch(/Sent to the room day-1/);
    await expect
      .poll(async () => (await room.state()).view.tiles[0]?.verdict, { timeout: 3000 })
      .toBe("fail");

    const skipped = await runCli(["check", "--no-board", "--redis-url", redis.url], {
      cwd: dir.path,
    }).exited;
    expect(skipped.output).not.toMatch(/Sent to the room/);

    await redis.stop();
    const unreachable = await runCli(["check", "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    }).exited;
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toMatch(
      /Could not reach the room board \(day-1\); your result is still valid\./,
    );
    await redis.start();

    const left = await runCli(["leave"], { cwd: dir.path }).exited;
    expect(left.output).toMatch(/Left the room day-1/);
  });
});
