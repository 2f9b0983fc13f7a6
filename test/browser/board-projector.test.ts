import { request } from "node:http";
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/model/room-event.js";
import { newAttendeeId, publishToRoom } from "../../src/room/publish.js";
import { formatRoomUrl } from "../../src/room/room-url.js";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { overflowing, PROJECTOR_SIZES, watchDom } from "../support/layout.js";
import { ownRedis, runBoard } from "../support/room.js";

const LONG_NAME = `Maximiliana Theodora von Hohenzollern-Sigmaringen ${"und ".repeat(5)}Baden`;
const KEY = ["header", "main > section", "aside", ".tile", "#causes", "#stuck", "#timeline"];

function check(
  name: string,
  exercise: string,
  verdict: "pass" | "fail",
  causeId?: string,
): RoomEvent {
  return {
    type: "check",
    name,
    at: new Date().toISOString(),
    version: "test",
    exercise,
    verdict,
    ...(causeId ? { causeId, cause: `the cause called ${causeId}` } : {}),
    scenarios: [{ id: "shared", status: verdict }],
    durationMs: 500,
  };
}

describe("the room board on a projector", () => {
  it("charts one data point in minutes of the workshop, fits 1280, 1366 and 1920 px, and writes a CSV row per exercise", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "projector");
    const url = formatRoomUrl(redis.url, "projector");
    await using browser = await launchBrowser();
    const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
    const adaId = newAttendeeId();
    await page.goto(room.banner.url);

    // One check: one point on "passing over time", whose axis reads in minutes from 0.
    await publishToRoom(url, check("Ada", "01-shared-sessions", "fail", "own-store"), adaId);
    await page.locator('.tile[data-name="Ada"]').waitFor({ timeout: 2000 });
    await expect
      .poll(() => page.locator("#timeline").getAttribute("data-x-ticks"), { timeout: 2000 })
      .toMatch(/min$/);
    const ticks = (await page.locator("#timeline").getAttribute("data-x-ticks"))?.split(" | ");
    expect(ticks?.[0]).toBe("0 min");
    expect(ticks?.at(-1)).toBe("10 min");
    for (const tick of ticks ?? []) expect(tick).toMatch(/^\d+ min$/);

    // Ada passes 01 on her third check, then moves on to 02; others with long names and causes.
    await publishToRoom(url, check("Ada", "01-shared-sessions", "fail", "no-redis"), adaId);
    await publishToRoom(url, check("Ada", "01-shared-sessions", "pass"), adaId);
    await publishToRoom(url, check("Ada", "02-logout-everywhere", "fail", "stale-session"), adaId);
    await publishToRoom(
      url,
      check(LONG_NAME, "01-shared-sessions", "fail", `a-${"very-".repeat(12)}long-cause`),
    );
    for (let i = 0; i < 20; i++)
      await publishToRoom(
        url,
        check(`Attendee ${i}`, "01-shared-sessions", i % 3 ? "pass" : "fail", "own-store"),
      );
    await expect.poll(() => page.locator(".tile").count(), { timeout: 5000 }).toBe(22);
    const longTile = page.locator(".tile .name", { hasText: "Maximiliana" });
    // The room keeps 40 characters of a name; the tile shows them cut, whole in its tooltip.
    expect(await longTile.getAttribute("title")).toBe(await longTile.textContent());
    expect(
      await longTile.evaluate((n) => {
        const e = n as unknown as { scrollWidth: number; clientWidth: number };
        return e.scrollWidth > e.clientWidth;
      }),
    ).toBe(true);

    for (const size of PROJECTOR_SIZES) {
      await page.setViewportSize(size);
      await expect.poll(() => overflowing(page, KEY), { timeout: 2000 }).toEqual([]);
      const px = await page.locator("#passing").evaluate((n) => {
        const style = (
          globalThis as unknown as { getComputedStyle(n: unknown): { fontSize: string } }
        ).getComputedStyle;
        return Number.parseFloat(style(n).fontSize);
      });
      expect(px).toBeGreaterThanOrEqual(48);
      for (const path of await screenshotPaths(`board-${size.width}.png`))
        await page.screenshot({ path });
    }

    // The CSV the page offers: Ada's first pass belongs to 01, and 02 has a row of its own.
    const csv = await page.evaluate(async () => (await fetch("/results.csv")).text());
    const ada = csv.split("\r\n").filter((line) => line.startsWith("Ada,"));
    expect(ada).toHaveLength(2);
    expect(ada[0]).toMatch(/^Ada,01-shared-sessions,pass,3,2,[^,]+,[^,]+,[^,]+,no-redis,/);
    expect(ada[1]).toMatch(/^Ada,02-logout-everywhere,fail,1,,[^,]+,,[^,]+,stale-session,/);
  });

  it("with --host 0.0.0.0 serves the page at this machine's address, and warns that a loopback Redis cannot be joined", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "elsewhere", { host: "0.0.0.0" });
    const warning = room.events.find(
      (e) => e.type === "warning" && /join line names 127\.0\.0\.1/.test(e.message),
    );
    expect(warning).toBeDefined();
    const [other] = room.banner.elsewhere;
    expect(other).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/$/);
    await using browser = await launchBrowser();
    const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
    // Another laptop opens it by this machine's address: the page, live.
    await page.goto(other as string);
    await expect.poll(() => page.locator("#status").textContent(), { timeout: 5000 }).toBe("live");
    // A name chosen by some DNS server is still refused (DNS rebinding).
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(other as string, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await status("rebound.example")).toBe(421);
    expect(await status(new URL(other as string).host)).toBe(200);
  });

  it("keeps 200 attendees publishing at once to a few DOM updates a second, within the window", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "crowd");
    const url = formatRoomUrl(redis.url, "crowd");
    await using browser = await launchBrowser();
    const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
    await page.goto(room.banner.url);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    const dom = await watchDom(page);
    for (let batch = 0; batch < 10; batch++)
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const n = batch * 20 + i;
          return publishToRoom(
            url,
            check(`Attendee ${n}`, "01-shared-sessions", n % 4 ? "pass" : "fail", "own-store"),
          );
        }),
      );
    await expect.poll(() => page.locator(".tile").count(), { timeout: 10_000 }).toBe(200);
    expect(await page.locator("#passing").textContent()).toBe("150");
    const { perSecond, elements } = await dom.measure();
    console.log(
      `board, 200 attendees: ${perSecond.toFixed(1)} DOM updates/s, ${elements} elements`,
    );
    expect(perSecond).toBeLessThanOrEqual(6);
    expect(await overflowing(page, KEY)).toEqual([]);
  });
});
