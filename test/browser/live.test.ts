import { describe, expect, inject, it } from "vitest";
import { load } from "../../src/commands/load.js";
import type { LabEvent } from "../../src/events.js";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { labRunOptions, runStart, tempDir } from "../support/lab.js";
import { watchDom } from "../support/layout.js";
import { browse as visit } from "../support/visitor.js";

describe("the live page in a real browser", () => {
  it("shows the instances, each request within a second, lost reads, and one visitor's alternation (starter)", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      expect(ui.buttons).toBe(true);
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(ui.url);
      await expect.poll(() => page.locator(".instance").count()).toBe(2);
      for (const port of lab.ports.slice(1))
        expect(await page.locator(`.instance[data-port="${port}"] .name`).textContent()).toContain(
          `:${port}`,
        );

      const served = await visit(lab.proxyUrl, ["/session/set/hello", "/", "/", "/", "/"]);
      const newest = page.locator("#feed tr").first();
      await expect
        .poll(() => newest.locator(".c-port").textContent(), { timeout: 1000 })
        .toBe(`:${served.at(-1)}`);
      await expect.poll(() => page.locator("#feed tr.lost").count(), { timeout: 1000 }).toBe(2);
      expect(await page.locator("#feed tr.lost .c-value").first().textContent()).toBe("✘ lost");

      const chips = await page.locator("#follow li").allTextContents();
      expect(chips).toHaveLength(5);
      const reads = chips.slice(1).map((c) => c.endsWith("lost"));
      expect(reads).toEqual([true, false, true, false]);

      // The page's button runs the check against this lab; its report appears on the page.
      await page.getByRole("button", { name: "Run the check" }).click();
      await expect
        .poll(() => page.locator("#check-verdict").textContent(), { timeout: 15_000 })
        .toMatch(/✘ fail: each instance reads its own session store/);
      // Without the page's token, nothing happens.
      const forged = await fetch(new URL("actions/restart", ui.url), { method: "POST" });
      expect(forged.status).toBe(403);
    } finally {
      await lab.stop();
    }
  });

  it("shows a steady value for one visitor of the solution", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, solution: true, ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(ui.url);
      await visit(lab.proxyUrl, ["/session/set/hello", "/", "/", "/", "/"]);
      await expect.poll(() => page.locator("#follow li").count(), { timeout: 1000 }).toBe(5);
      expect(
        (await page.locator("#follow li").allTextContents()).slice(1).every((c) => c.endsWith("✔")),
      ).toBe(true);
      expect(await page.locator("#feed tr.lost").count()).toBe(0);
    } finally {
      await lab.stop();
    }
  });

  it("charts requests and lost sessions per instance during a load against the starter", async () => {
    await using dir = await tempDir();
    const controller = new AbortController();
    const events: LabEvent[] = [];
    let onReady: (url: string) => void = () => {};
    const ready = new Promise<string>((r) => {
      onReady = r;
    });
    const done = load({
      ...labRunOptions(dir.path, { redisUrl: inject("redisUrl"), signal: controller.signal }),
      emit: (e) => {
        events.push(e);
        if (e.type === "ui:ready") onReady(e.url);
      },
      ui: { port: 0 },
      users: 20,
      durationMs: 4000,
      requests: undefined,
    });
    try {
      const url = await ready;
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      await page.locator("#charts:not([hidden])").waitFor({ timeout: 5000 });
      const dom = await watchDom(page);
      // The load's requests are the lab's own: counted apart from a browser's.
      await expect
        .poll(async () => Number(await page.locator("#load-lost").textContent()), {
          timeout: 5000,
        })
        .toBeGreaterThan(0);
      expect(await page.locator("#requests").textContent()).toBe("0");
      // However fast the load goes: a few DOM updates a second, and a bounded page.
      await expect
        .poll(async () => Number(await page.locator("#load-requests").textContent()), {
          timeout: 5000,
        })
        .toBeGreaterThan(200);
      // Over a few seconds, so that one burst of late messages does not read as a rate.
      await expect.poll(() => dom.elapsed(), { timeout: 10_000 }).toBeGreaterThan(4000);
      const { perSecond, elements } = await dom.measure();
      console.log(
        `live page under load: ${perSecond.toFixed(1)} DOM updates/s, ${elements} elements`,
      );
      expect(perSecond).toBeLessThanOrEqual(8);
      expect(elements).toBeLessThan(600);
      for (const path of await screenshotPaths("live-load.png")) await page.screenshot({ path });
      await expect
        .poll(() => page.locator("#load-summary").textContent(), { timeout: 8000 })
        .toMatch(/% of reads lost/);
    } finally {
      controller.abort();
      await done.catch(() => {});
    }
  });
});
