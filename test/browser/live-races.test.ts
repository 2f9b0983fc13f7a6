import { request } from "undici";
import { describe, expect, it } from "vitest";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { runStart, tempDir } from "../support/lab.js";
import { overflowing, PROJECTOR_SIZES } from "../support/layout.js";

/** One request of a visitor whose cookie is `cookie` (none yet: the one it is given). */
async function get(proxyUrl: string, path: string, cookie?: string) {
  const answer = await request(new URL(path, proxyUrl), {
    headers: { "user-agent": "Mozilla/5.0", ...(cookie ? { cookie } : {}) },
  });
  await answer.body.text();
  const raw = answer.headers["set-cookie"];
  const set = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw])[0]?.split(";", 1)[0];
  return set ?? cookie;
}

describe("the live page during exercise 07", () => {
  it("shows one visitor's overlapping requests side by side, and the others one by one", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, exercise: "07-session-races", ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
      await page.goto(ui.url);
      await expect.poll(() => page.locator(".instance").count()).toBe(2);

      // The lost update: a slow addition and a quick one at the same time, then the cart.
      const cookie = await get(lab.proxyUrl, "/session/set/x");
      expect(cookie).toBeDefined();
      await Promise.all([
        get(lab.proxyUrl, "/cart/add/apple?delay=1500", cookie),
        get(lab.proxyUrl, "/cart/add/pear?delay=100", cookie),
      ]);
      await get(lab.proxyUrl, "/cart", cookie);

      const groups = page.locator("#follow > li.overlap");
      await expect.poll(() => groups.count(), { timeout: 2000 }).toBe(1);
      expect(await groups.locator(".overlap-label").textContent()).toBe("⇉ 2 at once");
      const lanes = groups.locator(".lanes > li");
      expect(await lanes.count()).toBe(2);
      const paths = await lanes.locator(".path").allTextContents();
      expect(paths.sort()).toEqual(["/cart/add/apple?delay=1500", "/cart/add/pear?delay=100"]);
      const numbers = await lanes.evaluateAll((nodes) =>
        nodes.map((n) => (n as unknown as { dataset: { n: string } }).dataset.n),
      );
      expect(numbers.sort()).toEqual(["2", "3"]);
      const withs = await lanes.locator(".with").allTextContents();
      expect(withs.sort()).toEqual(["overlapped with #2", "overlapped with #3"]);
      // Before and after: one request at a time.
      const single = page.locator("#follow > li:not(.overlap)");
      expect(await single.count()).toBe(2);
      expect(await single.first().textContent()).toMatch(/^#1 :\d+ set$/);
      expect(await single.last().getAttribute("data-n")).toBe("4");

      for (const size of PROJECTOR_SIZES) {
        await page.setViewportSize(size);
        await expect
          .poll(() => overflowing(page, ["#follow", "#follow li", "aside"]), { timeout: 2000 })
          .toEqual([]);
      }
      for (const path of await screenshotPaths("live-races.png")) await page.screenshot({ path });
    } finally {
      await lab.stop();
    }
  });
});
