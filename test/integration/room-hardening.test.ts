import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { join } from "../../src/commands/join.js";
import type { CheckReport } from "../../src/model/check-report.js";
import type { RoomEvent } from "../../src/model/room-event.js";
import { roomKeys } from "../../src/redis/room-store.js";
import { publishCheck, publishToRoom } from "../../src/room/publish.js";
import { tempDir } from "../support/lab.js";
import { asAttendee, attempt, joinUrl, ownRedis, runBoard } from "../support/room.js";

// What a mischievous attendee does with the join line the board prints: every command the
// room's ACL user might be allowed, straight at Redis. Each test writes its entries wherever
// that user can write (the room's own stream, and an inbox of its own under the room's prefix).

const SCHEMA = "session-lab/room@1";
const prefix = (room: string) => roomKeys(room).prefix;
const newId = () => randomBytes(16).toString("base64url");

function check(name: string, verdict: "pass" | "fail", causeId?: string): RoomEvent {
  return {
    type: "check",
    name,
    at: new Date().toISOString(),
    version: "test",
    exercise: "01-shared-sessions",
    verdict,
    ...(causeId ? { causeId, cause: "each instance reads its own session store" } : {}),
    scenarios: [{ id: "shared", status: verdict }],
    durationMs: 500,
  };
}

/** A check report as `check` makes one, for publishCheck. */
function report(verdict: "pass" | "fail"): CheckReport {
  return {
    finishedAt: new Date().toISOString(),
    exercise: { id: "01-shared-sessions", title: "Shared sessions" },
    verdict,
    ...(verdict === "fail" ? { causeId: "own-store", cause: "each instance reads its own" } : {}),
    scenarios: [{ id: "shared", status: verdict }],
    durationMs: 500,
  } as unknown as CheckReport;
}

/** Writes raw fields everywhere the attendee user may write: the room's stream, an inbox. */
async function writeEverywhere(
  client: Awaited<ReturnType<typeof asAttendee>>,
  room: string,
  entries: Record<string, string>[],
  id = newId(),
): Promise<void> {
  const pipeline = client.pipeline();
  for (const fields of entries) {
    const flat = Object.entries(fields).flat();
    pipeline.xadd(roomKeys(room).events, "*", ...flat);
    pipeline.xadd(`${prefix(room)}in:${id}`, "*", ...flat);
  }
  pipeline.hset(`${prefix(room)}joins`, id, "1");
  await pipeline.exec();
}

describe("no attendee can break the room", () => {
  it("an entry of any shape is skipped and counted, never a stall, before and after a restart", async () => {
    await using redis = await ownRedis();
    let room = await runBoard(redis.url, "shapes", { createUser: true });
    try {
      const url = joinUrl(room.banner.joinLine);
      await using attacker = await asAttendee(url);
      const at = new Date().toISOString();
      const shapes = [
        "null",
        "[]",
        "42",
        '"a string"',
        "true",
        JSON.stringify({
          type: "check",
          name: "X",
          at,
          exercise: "e",
          verdict: "pass",
          scenarios: [null, 1, "s"],
        }),
        JSON.stringify({
          type: "check",
          name: { not: "text" },
          at,
          exercise: "e",
          verdict: "pass",
        }),
        JSON.stringify({ type: "joined", name: "Y", at: { toString: 1 } }),
        JSON.stringify({
          type: "check",
          name: "Z",
          at,
          exercise: ["e"],
          verdict: "fail",
          causeId: 7,
        }),
      ];
      await writeEverywhere(
        attacker,
        "shapes",
        shapes.map((data) => ({ schema: SCHEMA, type: "check", name: "X", data })),
      );
      await publishToRoom(url, check("Grace", "pass"));
      const grace = async () =>
        (await room.state()).view.tiles.find((t) => t.name === "Grace")?.verdict;
      await expect.poll(grace, { timeout: 5000 }).toBe("pass");
      expect((await room.state()).up).toBe(true);
      expect((await room.state()).view.skipped).toBeGreaterThanOrEqual(shapes.length - 1);
      expect(room.events.filter((e) => e.type === "board:redis")).toEqual([]);

      // A restarted board reads the same entries again and starts.
      await room.stop();
      room = await runBoard(redis.url, "shapes", { createUser: true });
      expect(await grace()).toBe("pass");
      expect((await room.state()).up).toBe(true);
    } finally {
      await room.stop();
    }
  });

  it("the attendee user can add its own results and nothing else, and credentials survive a restart", async () => {
    await using redis = await ownRedis();
    await using workspace = await tempDir();
    let room = await runBoard(redis.url, "day-1", { createUser: true });
    try {
      const url = joinUrl(room.banner.joinLine);
      await join({ url, name: "Grace", dir: workspace.path, emit: () => {} });
      expect(await publishCheck(workspace.path, report("fail"), "test", () => {})).toBe(true);
      const tile = async (name: string) =>
        (await room.state()).view.tiles.find((t) => t.name === name)?.verdict;
      await expect.poll(() => tile("Grace"), { timeout: 5000 }).toBe("fail");

      await using attacker = await asAttendee(url);
      const keys = roomKeys("day-1");
      const roomKeyNames = [
        keys.events,
        keys.latest,
        keys.meta,
        `${keys.prefix}cursors`,
        `${keys.prefix}timeline`,
        `${keys.prefix}joins`,
        `${keys.prefix}board`,
      ];
      const forged = { schema: SCHEMA, type: "check", name: "Grace" };
      const data = JSON.stringify(check("Grace", "pass"));
      const refused: Record<string, string> = {};
      for (const key of roomKeyNames) {
        refused[`EXPIRE ${key}`] = await attempt(attacker, "EXPIRE", key, 1);
        refused[`PEXPIREAT ${key}`] = await attempt(attacker, "PEXPIREAT", key, 1);
        refused[`DEL ${key}`] = await attempt(attacker, "DEL", key);
        refused[`UNLINK ${key}`] = await attempt(attacker, "UNLINK", key);
        refused[`RENAME ${key}`] = await attempt(attacker, "RENAME", key, `${key}-gone`);
        refused[`HDEL ${key}`] = await attempt(attacker, "HDEL", key, "Grace");
        refused[`XTRIM ${key}`] = await attempt(attacker, "XTRIM", key, "MAXLEN", 0);
        refused[`HGETALL ${key}`] = await attempt(attacker, "HGETALL", key);
        refused[`XRANGE ${key}`] = await attempt(attacker, "XRANGE", key, "-", "+");
      }
      refused["XADD events MAXLEN 0"] = await attempt(
        attacker,
        "XADD",
        keys.events,
        "MAXLEN",
        0,
        "*",
        "x",
        "y",
      );
      refused["XADD events as Grace"] = await attempt(
        attacker,
        "XADD",
        keys.events,
        "*",
        ...Object.entries({ ...forged, data }).flat(),
      );
      refused["HSET latest Grace"] = await attempt(attacker, "HSET", keys.latest, "Grace", data);
      refused["HSET meta"] = await attempt(attacker, "HSET", keys.meta, "attendeePassword", "x");
      refused.KEYS = await attempt(attacker, "KEYS", "*");
      refused.SCAN = await attempt(attacker, "SCAN", 0);
      refused.FLUSHALL = await attempt(attacker, "FLUSHALL");
      refused.ACL = await attempt(attacker, "ACL", "LIST");
      refused.EVAL = await attempt(attacker, "EVAL", "return 1", 0);
      for (const [what, answer] of Object.entries(refused))
        expect({ what, answer }).toEqual({ what, answer: expect.stringMatching(/NOPERM/) });

      // Its own inbox takes what it sends, under a name of another attendee: the board shows
      // it as another tile, never as Grace's.
      await writeEverywhere(attacker, "day-1", [{ ...forged, data }]);
      await expect.poll(async () => (await room.state()).view.total, { timeout: 5000 }).toBe(2);
      expect(await tile("Grace")).toBe("fail");

      // A restart keeps the attendee user and its password: Grace publishes on.
      await room.stop();
      room = await runBoard(redis.url, "day-1", { createUser: true });
      expect(joinUrl(room.banner.joinLine)).toBe(url);
      const warnings: string[] = [];
      const sent = await publishCheck(workspace.path, report("pass"), "test", (e) => {
        if (e.type === "warning") warnings.push(e.message);
      });
      expect({ sent, warnings }).toEqual({ sent: true, warnings: [] });
      await expect.poll(() => tile("Grace"), { timeout: 5000 }).toBe("pass");
    } finally {
      await room.stop();
    }
  });

  it("20,000 entries: the page stays alive, attendees are capped, a restart is ready in seconds", async () => {
    await using redis = await ownRedis();
    let room = await runBoard(redis.url, "flood", { createUser: true });
    try {
      await using attacker = await asAttendee(joinUrl(room.banner.joinLine));
      const began = performance.now();
      for (let batch = 0; batch < 20; batch++) {
        const pipeline = attacker.pipeline();
        for (let i = 0; i < 1000; i++) {
          const n = batch * 1000 + i;
          const id = newId();
          const fields = Object.entries({
            schema: SCHEMA,
            type: "check",
            name: `bot-${n}`,
            data: JSON.stringify(check(`bot-${n}`, n % 2 ? "pass" : "fail", "own-store")),
          }).flat();
          pipeline.xadd(roomKeys("flood").events, "*", ...fields);
          pipeline.xadd(`${prefix("flood")}in:${id}`, "*", ...fields);
          pipeline.hset(`${prefix("flood")}joins`, id, "1");
        }
        await pipeline.exec();
      }
      // The page answers at once all along, and the board settles.
      let slowest = 0;
      let total = 0;
      for (;;) {
        const t = performance.now();
        const state = await room.state();
        slowest = Math.max(slowest, performance.now() - t);
        if (state.view.total === total && total > 0) break;
        total = state.view.total;
        if (performance.now() - began > 20_000) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const settled = performance.now() - began;
      expect(total).toBe(1000);
      expect(slowest).toBeLessThan(1000);

      await room.stop();
      const restart = performance.now();
      room = await runBoard(redis.url, "flood", { createUser: true });
      const ready = performance.now() - restart;
      expect((await room.state()).view.total).toBe(1000);
      expect(ready).toBeLessThan(5000);
      console.log(
        `20,000 entries: settled ${(settled / 1000).toFixed(1)} s, slowest /state ${slowest.toFixed(0)} ms, restart ready in ${(ready / 1000).toFixed(2)} s`,
      );
    } finally {
      await room.stop();
    }
  });

  it("a board started on 20,000 waiting entries (1,000 attendees × 20) shows every attendee's last result", async () => {
    await using redis = await ownRedis();
    const first = await runBoard(redis.url, "backlog", { createUser: true });
    const url = joinUrl(first.banner.joinLine);
    await first.stop();
    await using attacker = await asAttendee(url);
    const ids = Array.from({ length: 1000 }, newId);
    for (let n = 0; n < 20; n++) {
      const pipeline = attacker.pipeline();
      for (const [i, id] of ids.entries()) {
        const fields = Object.entries({
          schema: SCHEMA,
          type: "check",
          name: `bot-${i}`,
          data: JSON.stringify(check(`bot-${i}`, n === 19 ? "pass" : "fail", "own-store")),
        }).flat();
        pipeline.xadd(roomKeys("backlog").events, "*", ...fields);
        pipeline.xadd(`${prefix("backlog")}in:${id}`, "*", ...fields);
        pipeline.hset(`${prefix("backlog")}joins`, id, "1");
      }
      await pipeline.exec();
    }
    const began = performance.now();
    await using room = await runBoard(redis.url, "backlog", { createUser: true });
    const ready = performance.now() - began;
    // Every attendee's last entry is read (the backlog is read in bounded batches, so the
    // last ones may come a moment after the board is ready); the time is the benchmark's.
    await expect
      .poll(
        async () => {
          const { view } = await room.state();
          return {
            total: view.total,
            passing: view.tiles.filter((t) => t.verdict === "pass").length,
          };
        },
        { timeout: 30_000 },
      )
      .toEqual({ total: 1000, passing: 1000 });
    const settled = performance.now() - began;
    console.log(
      `20,000 waiting entries: board ready in ${(ready / 1000).toFixed(2)} s, all read in ${(settled / 1000).toFixed(2)} s`,
    );
  });

  it("one board per room; a board whose Redis user may not run scripts says so in one sentence", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "one");
    const began = performance.now();
    const second = await runBoard(redis.url, "one").then(
      async (r) => {
        await r.stop();
        return undefined;
      },
      (error: Error) => error.message,
    );
    expect(second).toBe("Another board is following this room right now.");
    expect(performance.now() - began).toBeLessThan(8000);
    expect((await room.state()).up).toBe(true);

    await using admin = await asAttendee(`${redis.url}#one`);
    await admin.call(
      "ACL",
      "SETUSER",
      "no-scripts",
      "on",
      ">pw",
      "~*",
      "&*",
      "+@all",
      "-@scripting",
    );
    const url = new URL(redis.url);
    url.username = "no-scripts";
    url.password = "pw";
    const refused = await runBoard(url.toString(), "scriptless").then(
      async (r) => {
        await r.stop();
        return undefined;
      },
      (error: Error) => error.message,
    );
    expect(refused).toMatch(
      /^The board's Redis user may not run the script the board reads the room with/,
    );
  });
});
