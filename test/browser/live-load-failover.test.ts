import { describe, expect, inject, it } from "vitest";
import { load } from "../../src/commands/load.js";
import type { LabEvent } from "../../src/events.js";
import { launchBrowser, screenshotPaths } from "../support/browser.js";
import { labRunOptions, tempDir } from "../support/lab.js";
import { PROJECTOR_SIZES } from "../support/layout.js";

/** `load --ui` against exercise 05 (the starter or the solution), until the test aborts it. */
async function loadWithPage(dir: string, solution: boolean) {
  const controller = new AbortController();
  const events: LabEvent[] = [];
  let onReady: (e: Extract<LabEvent, { type: "ui:ready" }>) => void = () => {};
  const ready = new Promise<Extract<LabEvent, { type: "ui:ready" }>>((r) => {
    onReady = r;
  });
  const done = load({
    ...labRunOptions(dir, {
      exercise: "05-redis-failover",
      solution,
      redisUrl: inject("redisUrl"),
      signal: controller.signal,
    }),
    emit: (e) => {
      events.push(e);
      if (e.type === "ui:ready") onReady(e);
    },
    ui: { port: 0 },
    users: 8,
    durationMs: 120_000,
    requests: undefined,
  });
  return {
    ready,
    events,
    stop: async () => {
      controller.abort();
      await done.catch(() => {});
    },
  };
}

const figure = async (page: import("playwright-core").Page, id: string) =>
  Number(await page.locator(`#${id}`).textContent());

describe("load --ui during a failover (exercise 05)", () => {
  it.each([
    ["starter", false],
    ["solution", true],
  ] as const)("the %s: Fail over now, and the load's lost sessions", async (name, solution) => {
    await using dir = await tempDir();
    const run = await loadWithPage(dir.path, solution);
    try {
      const ui = await run.ready;
      expect(ui.failover).toBe(true);
      await using browser = await launchBrowser();
      const page = await browser.newPage({ viewport: PROJECTOR_SIZES[0] });
      await page.goto(ui.url);
      const primary = page.locator("#redis-nodes .primary");
      await expect.poll(() => primary.textContent(), { timeout: 5000 }).toMatch(/^★ primary :/);
      const before = await primary.textContent();
      await expect
        .poll(() => figure(page, "load-requests"), { timeout: 10_000 })
        .toBeGreaterThan(100);
      expect(await figure(page, "load-lost")).toBe(0);
      // Only the fail-over button: load has no check to run and no instances to restart.
      expect(await page.locator("#check").isHidden()).toBe(true);

      await page.getByRole("button", { name: "Fail over now" }).click();
      await expect.poll(() => primary.textContent(), { timeout: 15_000 }).not.toBe(before);
      const switched = await figure(page, "load-requests");
      // The users keep writing after the switch: the starter's writes go to a replica.
      await expect
        .poll(() => figure(page, "load-requests"), { timeout: 20_000 })
        .toBeGreaterThan(switched + 300);
      const since = /: [✔⚠] (\d+) failed · [✔✘] (\d+) lost of (\d+) requests$/.exec(
        (await page.locator("#redis-since").textContent()) ?? "",
      );
      const [failed, lost, requests] = [since?.[1], since?.[2], since?.[3]].map(Number);
      expect(requests).toBeGreaterThan(300);
      if (solution) {
        // The solution follows the new primary: a few requests fail (503) while it switches,
        // and at most a write under way then is lost (express-session answers 200 before its
        // save fails), never the sessions.
        expect(lost).toBeLessThanOrEqual(Math.floor((requests ?? 0) / 100));
        expect(failed).toBeLessThan((requests ?? 0) / 10);
      } else {
        // The starter writes to the old primary, a read-only replica now: every write is lost.
        expect(lost).toBeGreaterThan((requests ?? 0) / 5);
        expect(await page.locator("#redis-since").getAttribute("class")).toBe("redis-since bad");
      }
      for (const path of await screenshotPaths(`live-load-failover-${name}.png`))
        await page.screenshot({ path });
    } finally {
      await run.stop();
    }
  });
});
