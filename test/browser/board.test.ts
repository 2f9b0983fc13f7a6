import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/model/room-event.js";
import { publishToRoom } from "../../src/room/publish.js";
import { formatRoomUrl } from "../../src/room/room-url.js";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { ownRedis, runBoard } from "../support/room.js";

const XSS = `<img src=x onerror="window.__xss=1">`;

function checkEvent(name: string, verdict: "pass" | "fail", causeId?: string): RoomEvent {
  return {
    type: "check",
    name,
    at: new Date().toISOString(),
    version: "test",
    exercise: "01-shared-sessions",
    verdict,
    ...(causeId ? { causeId, cause: "each instance reads its own session store" } : {}),
    scenarios: [
      { id: "boot", status: "pass" },
      { id: "shared", status: verdict },
    ],
    durationMs: 640,
  };
}

describe("the room board in a real browser", () => {
  it("shows a new attendee without a reload, names as text, and Redis going away", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "day-1");
    const url = formatRoomUrl(redis.url, "day-1");
    await using browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(room.banner.url);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });

    await publishToRoom(url, checkEvent("Ada Lovelace", "fail", "own-store"));
    await page.locator('.tile[data-name="Ada Lovelace"]').waitFor({ timeout: 2000 });
    expect(await page.locator('.tile[data-name="Ada Lovelace"] .verdict').textContent()).toBe(
      "✘ fail",
    );
    expect(
      await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce),
    ).toBe(true);

    await publishToRoom(url, checkEvent(XSS, "pass"));
    const hostile = page.locator(".tile.pass .name");
    await hostile.waitFor({ timeout: 2000 });
    expect(await hostile.textContent()).toBe(XSS);
    expect(await page.locator(".tiles img").count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss),
    ).toBeUndefined();
    for (const name of ["Grace Hopper", "Linus", "Margaret H."])
      await publishToRoom(url, checkEvent(name, name === "Linus" ? "pass" : "fail", "own-store"));
    await expect.poll(() => page.locator(".tile").count(), { timeout: 2000 }).toBe(5);
    expect(await page.locator("#passing").textContent()).toBe("2");
    expect(await page.locator("#causes li").first().textContent()).toMatch(/own-store\s*3/);
    for (const path of await screenshotPaths("board-feed.png")) await page.screenshot({ path });

    await redis.stop();
    await expect
      .poll(() => page.locator("#status").textContent(), { timeout: 5000 })
      .toBe("reconnecting…");
    await redis.start();
    await expect
      .poll(() => page.locator("#status").textContent(), { timeout: 10_000 })
      .toBe("live");
  });
});
