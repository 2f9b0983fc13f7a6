import { describe, expect, it } from "vitest";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { runStart, tempDir } from "../support/lab.js";
import { lineCount, overflowing, PROJECTOR_SIZES } from "../support/layout.js";
import { browse } from "../support/visitor.js";

/** What must never be wider than its box or reach past the window's edge. */
const KEY = [
  "header",
  "main > section",
  "aside",
  "#visitor",
  ".feed",
  "#follow",
  "#check-panel",
  "#check-verdict",
  "#charts",
  ".instance",
];

const LONG = `a-value-far-too-long-for-any-column-${"x".repeat(60)}`;

describe("the live page on a projector", () => {
  it("keeps the check's traffic apart, the followed visitor, and fits 1280, 1366 and 1920 px", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
      await page.goto(ui.url);
      await expect.poll(() => page.locator(".instance").count()).toBe(2);

      // One visitor with a long value, seen once: the charts start with a single point.
      await browse(lab.proxyUrl, [`/session/set/${LONG}`]);
      await page.locator("#charts:not([hidden])").waitFor({ timeout: 2000 });
      await expect
        .poll(() => page.locator("#rps-chart").getAttribute("data-x-ticks"), { timeout: 2000 })
        .toMatch(/now$/);
      const ticks = (await page.locator("#rps-chart").getAttribute("data-x-ticks"))?.split(" | ");
      // Relative to now, over the last minute: never a date, never milliseconds.
      expect(ticks?.length).toBeGreaterThan(2);
      for (const tick of ticks ?? []) expect(tick).toMatch(/^(\d+ s ago|now)$/);
      expect(ticks?.[0]).toMatch(/^(60|50) s ago$/);

      // The attendee's visitor: sets a value, then reads it four times (two reads lost).
      await browse(lab.proxyUrl, ["/session/set/hello", "/", "/", "/", "/"]);
      await expect.poll(() => page.locator("#requests").textContent(), { timeout: 2000 }).toBe("6");
      expect(await page.locator("#lost").textContent()).toBe("2");
      const setRow = page.locator("#feed tr").nth(4);
      expect(await setRow.locator(".c-path").textContent()).toBe("/session/set/hello");
      expect(await setRow.locator(".c-value").textContent()).toBe("set hello");

      // Follow the first visitor (the long value), by hand.
      const select = page.locator("#visitor");
      const options = await select.locator("optgroup[label=browsers] option").all();
      expect(options).toHaveLength(2);
      const first = await options[1]?.getAttribute("value");
      await select.selectOption(first ?? "");
      await expect.poll(() => page.locator("#follow li").count()).toBe(1);
      expect(await select.getAttribute("title")).toContain(LONG);

      // The check runs its own visitors (an XSS probe among them) through the same proxy.
      await page.getByRole("button", { name: "Run the check" }).click();
      await expect
        .poll(() => page.locator("#check-verdict").textContent(), { timeout: 20_000 })
        .toMatch(/✘ fail: each instance reads its own session store/);
      expect(Number(await page.locator("#check-requests").textContent())).toBeGreaterThan(10);
      expect(Number(await page.locator("#check-lost").textContent())).toBeGreaterThan(0);
      expect(await page.locator("#requests").textContent()).toBe("6");
      expect(await page.locator("#lost").textContent()).toBe("2");
      expect(await select.inputValue()).toBe(first);
      expect(await page.locator("#follow li").count()).toBe(1);
      expect(await page.locator("#feed tr[data-source=check]").count()).toBe(0);
      await page.getByRole("button", { name: /Check & load/ }).click();
      await expect.poll(() => page.locator("#feed tr[data-source=check]").count()).toBe(12);
      expect(await page.locator("#feed tr[data-source=browser]").count()).toBe(0);
      await page.getByRole("button", { name: /Browsers/ }).click();
      await expect.poll(() => page.locator("#feed tr[data-source=browser]").count()).toBe(6);

      for (const size of PROJECTOR_SIZES) {
        await page.setViewportSize(size);
        await expect.poll(() => overflowing(page, KEY), { timeout: 2000 }).toEqual([]);
        // Result cells take one line, whatever the width.
        expect(new Set(await lineCount(page, "#feed td"))).toEqual(new Set([1]));
        // The figures read from the back of the room.
        const px = await page.locator("#requests").evaluate((n) => {
          const style = (
            globalThis as unknown as { getComputedStyle(n: unknown): { fontSize: string } }
          ).getComputedStyle;
          return Number.parseFloat(style(n).fontSize);
        });
        expect(px).toBeGreaterThanOrEqual(40);
        for (const path of await screenshotPaths(`live-${size.width}.png`))
          await page.screenshot({ path });
      }
      // No column is widened by a long value: it is cut, its whole text in the tooltip.
      const longCell = page.locator("#feed tr").last().locator(".c-path");
      expect(await longCell.getAttribute("title")).toBe(`/session/set/${LONG}`);
    } finally {
      await lab.stop();
    }
  });
});
