import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { MAX_SSE_CLIENTS } from "../../src/web/sse.js";
import { launchBrowser } from "../support/browser.js";
import { runStart, tempDir } from "../support/lab.js";
import { ownRedis, runBoard } from "../support/room.js";

/** Opens `count` event streams on a page (as that many other tabs would) and waits for each. */
async function takeEveryPlace(url: string, count: number) {
  const { port, host } = new URL(url);
  const sockets: Socket[] = [];
  let open = 0;
  for (let i = 0; i < count; i++) {
    const socket = new Socket();
    socket.on("error", () => {});
    socket.once("data", (d) => {
      if (d.toString("latin1").startsWith("HTTP/1.1 200 ")) open++;
    });
    socket.connect(Number(port), "127.0.0.1", () =>
      socket.write(`GET /events HTTP/1.1\r\nHost: ${host}\r\n\r\n`),
    );
    sockets.push(socket);
  }
  await expect.poll(() => open, { timeout: 10_000 }).toBe(count);
  return {
    release: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe("a page turned away because too many are open", () => {
  it("the board says reconnecting…, then comes back by itself when a place is free", async () => {
    await using redis = await ownRedis();
    await using room = await runBoard(redis.url, "full-room");
    const others = await takeEveryPlace(room.banner.url, MAX_SSE_CLIENTS);
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(room.banner.url);
      await expect
        .poll(() => page.locator("#status").textContent(), { timeout: 5000 })
        .toBe("reconnecting…");
      others.release();
      await expect
        .poll(() => page.locator("#status").textContent(), { timeout: 10_000 })
        .toBe("live");
      await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);
    } finally {
      others.release();
    }
  });

  it("the live page shows no instances while turned away, then the lab's own", async () => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, ui: { port: 0 } });
    try {
      const ui = await lab.waitFor("ui:ready");
      const others = await takeEveryPlace(ui.url, MAX_SSE_CLIENTS);
      try {
        await using browser = await launchBrowser();
        const page = await browser.newPage();
        await page.goto(ui.url);
        await new Promise((r) => setTimeout(r, 1500));
        expect(await page.locator(".instance").count()).toBe(0);
        others.release();
        await expect.poll(() => page.locator(".instance").count(), { timeout: 10_000 }).toBe(2);
      } finally {
        others.release();
      }
    } finally {
      await lab.stop();
    }
  });
});
