import { describe, expect, it } from "vitest";
import { pollUntil } from "../../src/poll.js";
import { connectRedis } from "../../src/redis/inspect.js";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { runStart, tempDir } from "../support/lab.js";
import { overflowing, PROJECTOR_SIZES } from "../support/layout.js";
import { browse } from "../support/visitor.js";

/** What must never be wider than its box or reach past the window's edge, the Redis panel too. */
const KEY = [
  "header",
  "main > section",
  "aside",
  "#redis",
  "#redis li",
  "#redis li > span",
  ".instance",
  "#buttons",
];

const portOf = (url: string) => `:${new URL(url).port}`;

describe("the live page shows the lab's own Redis", () => {
  it("05: the primary, replica and sentinels; Fail over now (token only) switches the primary, and the failed requests are counted", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, exercise: "05-redis-failover", ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      expect(ui.failover).toBe(true);
      const redis = await lab.waitFor("redis");
      const first = portOf(redis.url);
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
      await page.goto(ui.url);
      const primary = page.locator("#redis-nodes .primary");
      await expect.poll(() => primary.textContent(), { timeout: 5000 }).toBe(`★ primary ${first}`);
      const replica = page.locator("#redis-nodes .replica");
      await expect.poll(() => replica.count(), { timeout: 5000 }).toBe(1);
      const second = (await replica.textContent())?.replace("replica ", "") ?? "";
      expect(second).toMatch(/^:\d+$/);
      expect(await page.locator("#redis-nodes .sentinels").textContent()).toMatch(
        /^sentinels :\d+ :\d+ :\d+$/,
      );
      expect(await page.locator("#redis-kind").textContent()).toBe("Sentinel · session-lab");
      await browse(lab.proxyUrl, ["/session/set/before", "/"]);

      // Without the page's token (or from another origin), nothing fails over.
      const url = new URL("actions/failover", ui.url);
      expect((await fetch(url, { method: "POST" })).status).toBe(403);
      const token = await page.locator('meta[name="session-lab-token"]').getAttribute("content");
      const elsewhere = await fetch(url, {
        method: "POST",
        headers: { "x-session-lab-token": token ?? "", origin: "http://evil.example" },
      });
      expect(elsewhere.status).toBe(403);
      expect(lab.events.some((e) => e.type === "redis:failover-asked")).toBe(false);

      // The page's button: a real SENTINEL FAILOVER of the lab's set-up.
      await page.getByRole("button", { name: "Fail over now" }).click();
      await expect
        .poll(() => primary.textContent(), { timeout: 15_000 })
        .toBe(`★ primary ${second}`);
      await expect
        .poll(() => page.locator("#redis-moments li.switch").textContent(), { timeout: 2000 })
        .toContain(`⇄ the sentinels named ${second} the primary (was ${first})`);
      const switched = await lab.waitFor("redis:topology", (e) => e.switched !== undefined);
      expect(switched.switched).toEqual({
        from: `127.0.0.1${first}`,
        to: `127.0.0.1${second}`,
      });
      // The starter still writes to the old primary, now a replica: its requests fail.
      await expect.poll(() => replica.textContent(), { timeout: 15_000 }).toBe(`replica ${first}`);
      await browse(lab.proxyUrl, ["/session/set/after", "/", "/"]);
      await expect
        .poll(() => page.locator("#redis-since").getAttribute("class"), { timeout: 2000 })
        .toBe("redis-since bad");
      expect(await page.locator("#redis-since").textContent()).toMatch(
        /^since \d\d:\d\d:\d\d: [✔⚠] \d+ failed · ✘ [1-9]\d* lost of \d+ requests$/,
      );
      const bad = await page.locator("#feed tr.failed, #feed tr.lost").count();
      expect(bad).toBeGreaterThan(0);

      // A failover asked of a sentinel directly (as an operator would), not from the page:
      // the page follows it too. The sentinels refuse until the old primary is a replica in sync.
      const sentinelPort = /^sentinels :(\d+)/.exec(
        (await page.locator("#redis-nodes .sentinels").textContent()) ?? "",
      )?.[1];
      const sentinel = await connectRedis(`redis://127.0.0.1:${sentinelPort}`, 1000);
      try {
        const asked = await pollUntil(
          () =>
            sentinel.call("SENTINEL", "FAILOVER", "session-lab").then(
              () => true,
              () => false,
            ),
          { timeoutMs: 20_000, everyMs: 250 },
        );
        expect(asked).toBe(true);
      } finally {
        sentinel.disconnect();
      }
      await expect
        .poll(() => primary.textContent(), { timeout: 15_000 })
        .toBe(`★ primary ${first}`);
      await expect
        .poll(() => page.locator("#redis-moments li.switch").first().textContent(), {
          timeout: 2000,
        })
        .toContain(`⇄ the sentinels named ${first} the primary (was ${second})`);

      for (const size of PROJECTOR_SIZES) {
        await page.setViewportSize(size);
        await expect.poll(() => overflowing(page, KEY), { timeout: 2000 }).toEqual([]);
        for (const path of await screenshotPaths(`live-failover-${size.width}.png`))
          await page.screenshot({ path });
      }
    } finally {
      await lab.stop();
    }
  });

  it("06: the three primaries with their slot ranges and replicas, fitting the projector", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, exercise: "06-redis-cluster", ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      expect(ui.failover).toBeUndefined();
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
      await page.goto(ui.url);
      const shards = page.locator("#redis-nodes .shard:not(.head)");
      await expect.poll(() => shards.count(), { timeout: 5000 }).toBe(3);
      // A replica is listed once it is in sync with its primary.
      const line = /^★ :\d+ (\d+)–(\d+) :\d+$/;
      await expect
        .poll(() => shards.allTextContents(), { timeout: 10_000 })
        .toEqual([
          expect.stringMatching(line),
          expect.stringMatching(line),
          expect.stringMatching(line),
        ]);
      const texts = await shards.allTextContents();
      const bounds = texts.flatMap((t) => {
        const m = line.exec(t);
        return [Number(m?.[1]), Number(m?.[2])];
      });
      // Every slot, once, in three ranges one after another.
      expect(bounds[0]).toBe(0);
      expect(bounds[5]).toBe(16383);
      expect([bounds[2], bounds[4]]).toEqual([(bounds[1] ?? 0) + 1, (bounds[3] ?? 0) + 1]);
      expect(await page.locator("#redis-kind").textContent()).toBe("Cluster · 3 primaries");
      expect(await page.locator("#redis-nodes .head").textContent()).toBe("primary slots replica");
      expect(await page.locator("#failover").isHidden()).toBe(true);
      for (const size of PROJECTOR_SIZES) {
        await page.setViewportSize(size);
        await expect.poll(() => overflowing(page, KEY), { timeout: 2000 }).toEqual([]);
      }
      for (const path of await screenshotPaths("live-cluster.png")) await page.screenshot({ path });
    } finally {
      await lab.stop();
    }
  });

  it("01: no Redis panel and no fail-over button for a Redis the lab does not own", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      expect(ui.failover).toBeUndefined();
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(ui.url);
      await expect.poll(() => page.locator(".instance").count()).toBe(2);
      expect(await page.locator("#redis").isHidden()).toBe(true);
      expect(await page.locator("#failover").isHidden()).toBe(true);
      expect(await page.locator("#check").isVisible()).toBe(true);
      const forged = await fetch(new URL("actions/failover", ui.url), { method: "POST" });
      expect(forged.status).toBe(404);
    } finally {
      await lab.stop();
    }
  });
});
