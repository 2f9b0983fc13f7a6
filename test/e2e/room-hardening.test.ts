import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/model/room-event.js";
import { memoryOf } from "../../src/processes/process-info.js";
import { roomKeys } from "../../src/redis/room-store.js";
import { publishToRoom } from "../../src/room/publish.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";
import { asAttendee, joinUrl, ownRedis } from "../support/room.js";

// The board as the instructor runs it (the built CLI, its own process, its own terminal
// output), against what a mischievous attendee sends with the join line.

const SCHEMA = "session-lab/room@1";

async function startBoard(redisUrl: string, room: string, cwd: string) {
  const [port] = await findFreePorts(1);
  const run = runCli(
    ["board", "--redis-url", redisUrl, "--room", room, "--port", String(port), "--create-user"],
    { cwd },
  );
  const [, line] = await run.waitForOutput(/(session-lab join "[^"]+")/);
  const state = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/state`)).json()) as {
      up: boolean;
      view: { tiles: { name: string; verdict: string; exercise: string }[]; skipped: number };
    };
  return {
    run,
    url: joinUrl(line ?? ""),
    state,
    async [Symbol.asyncDispose]() {
      run.child.kill("SIGTERM");
      await run.exited;
    },
  };
}

/** The process's peak resident memory in MB (where the OS keeps no peak, its resident now). */
async function peakRss(pid: number | undefined): Promise<number> {
  const use = pid === undefined ? undefined : await memoryOf(pid);
  return (use?.peakKb ?? use?.residentKb ?? 0) / 1024;
}

function check(name: string, fields: Partial<Extract<RoomEvent, { type: "check" }>> = {}) {
  return {
    type: "check",
    name,
    at: new Date().toISOString(),
    version: "test",
    exercise: "01-shared-sessions",
    verdict: "fail",
    causeId: "own-store",
    cause: "each instance reads its own session store",
    scenarios: [{ id: "shared", status: "fail" }],
    durationMs: 500,
    ...fields,
  } as RoomEvent;
}

describe("the board against a mischievous attendee, from the command line", () => {
  it("nothing from the room reaches the instructor's terminal as control characters", async () => {
    await using redis = await ownRedis();
    await using dir = await tempDir();
    await using board = await startBoard(redis.url, "esc", dir.path);
    const hostile = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b]0;owned\x07\x9b31m";
    await publishToRoom(
      board.url,
      check(`Ada${hostile}`, {
        exercise: `01-shared-sessions${hostile}`,
        causeId: `own-store${hostile}`,
        cause: `cause${hostile}`,
        scenarios: [{ id: `shared${hostile}`, status: `fail${hostile}` }],
      }),
    );
    await board.run.waitForOutput(/✘ Ada.*01-shared-sessions/);
    const output = board.run.output();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(output).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(output).toMatch(/✘ Ada\S* · 01-shared-sessions\S* · fail · own-store/);
  });

  it("31 entries of 20 MB: skipped with one line, the board stays small and shows the room", async () => {
    await using redis = await ownRedis();
    await using dir = await tempDir();
    await using board = await startBoard(redis.url, "huge", dir.path);
    await using attacker = await asAttendee(board.url);
    const id = randomBytes(16).toString("base64url");
    const data = JSON.stringify({ ...check("Mallory"), cause: "x".repeat(20 * 1024 * 1024) });
    const keys = roomKeys("huge");
    let roomStream = true;
    for (let i = 0; i < 31; i++) {
      const fields = ["schema", SCHEMA, "type", "check", "name", "Mallory", "data", data];
      if (roomStream)
        roomStream = await attacker.xadd(keys.events, "*", ...fields).then(
          () => true,
          () => false,
        );
      await attacker.xadd(`${keys.prefix}in:${id}`, "*", ...fields).catch(() => {});
      await attacker.hset(`${keys.prefix}joins`, id, "1").catch(() => {});
    }
    await publishToRoom(board.url, check("Grace", { verdict: "pass", causeId: undefined }));
    await expect
      .poll(
        async () =>
          (await board.state().catch(() => undefined))?.view.tiles.find((t) => t.name === "Grace")
            ?.verdict,
        { timeout: 20_000 },
      )
      .toBe("pass");
    const peakMb = await peakRss(board.run.child.pid);
    await board.run.waitForOutput(/Skipped .*larger than 8 KB/);
    expect(board.run.output().match(/Skipped /g)?.length).toBe(1);

    // A restarted board does not read them again.
    await board[Symbol.asyncDispose]();
    await using again = await startBoard(redis.url, "huge", dir.path);
    await expect
      .poll(async () => (await again.state()).view.tiles.map((t) => t.name), { timeout: 5000 })
      .toContain("Grace");
    const restartMb = await peakRss(again.run.child.pid);
    console.log(
      `31 × 20 MB entries: board peak RSS ${peakMb.toFixed(0)} MB, after a restart ${restartMb.toFixed(0)} MB`,
    );
    expect(peakMb).toBeLessThan(200);
    expect(restartMb).toBeLessThan(200);
  }, 60_000);
});
