import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCheck, sessionApp, tempDir } from "../support/lab.js";

/** A Redis user that may do everything but MONITOR, as on a managed Redis. */
const user = `lab-no-monitor-${randomBytes(3).toString("hex")}`;
let admin: Redis;
let refusingUrl: string;

beforeAll(async () => {
  admin = new Redis(inject("redisUrl"));
  await admin.call("ACL", "SETUSER", user, "on", ">pw", "~*", "&*", "+@all", "-monitor");
  const url = new URL(inject("redisUrl"));
  url.username = user;
  url.password = "pw";
  refusingUrl = url.href;
});
afterAll(async () => {
  await admin.call("ACL", "DELUSER", user);
  admin.disconnect();
});

describe("when the lab may not watch Redis", () => {
  it("still grades, names the cause as likely, and says in one line why it could not watch", async () => {
    await using dir = await tempDir();
    const { report, events } = await runCheck(
      dir.path,
      { cmd: `node ${sessionApp}`, redisUrl: refusingUrl },
      { FIXTURE_STORE: "redis", FIXTURE_SECRET: "per-instance" },
    );
    expect(report.verdict).toBe("fail");
    expect(report.observation).toEqual({
      watched: false,
      why: "the Redis user may not run MONITOR (NOPERM)",
    });
    expect(report.causeId).toBe("secret-mismatch");
    expect(report.confidence).toBe("likely");
    const failed = report.scenarios.find((s) => s.status === "fail");
    expect(failed?.experiments?.[0]?.saw).toMatch(/could not: .*NOPERM/);
    expect(events.some((e) => e.type === "check:end")).toBe(true);
  });

  it("passes a correct app all the same", async () => {
    await using dir = await tempDir();
    const { report } = await runCheck(dir.path, { solution: true, redisUrl: refusingUrl });
    expect(report.verdict).toBe("pass");
    expect(report.observation?.watched).toBe(false);
  });
});

describe("when the lab watches Redis", () => {
  it("a confirmed cause carries the experiments that decided it, in --json's report", async () => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { cmd: `node ${sessionApp}` },
      { FIXTURE_STORE: "redis", FIXTURE_PREFIX: "per-instance" },
    );
    expect(report.schema).toBe("session-lab/check@3");
    expect(report.observation).toEqual({ watched: true });
    expect(report.causeId).toBe("per-instance-prefix");
    expect(report.confidence).toBe("confirmed");
    const failed = report.scenarios.find((s) => s.status === "fail");
    expect(failed?.experiments?.map((e) => e.name)).toEqual(["replay-cookie", "fresh-set"]);
    expect(failed?.evidence?.join("\n")).toMatch(
      /:\d+ read sess:(\d+):\S+ in database 0 and found nothing; :\d+ wrote sess:(?!\1)\d+:/,
    );
  });
});
