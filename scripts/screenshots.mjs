// Retakes the README's screenshots (docs/live.png, docs/board.png) from the real pages at
// 1280×720, with the built CLI, a private redis-server and Debian's Chromium (playwright-core).
//   npm run build && node scripts/screenshots.mjs
// Everything it starts (the lab, the board, redis-server, Chromium) is stopped before it ends.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { newAttendeeId, publishToRoom } from "../dist/room/publish.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "bin", "session-lab.js");
const VIEWPORT = { width: 1280, height: 720 };
const started = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(command, args) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const handle = {
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await exited;
    },
  };
  started.push(handle);
  return handle;
}

/** Polls until `probe` resolves truthy (no fixed sleeps), or fails after `ms`. */
async function until(what, probe, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A browser's visitor through the proxy: its own cookie, none of the lab's marks. */
async function browse(proxy, paths) {
  let cookie;
  for (const path of paths) {
    const res = await fetch(new URL(path, proxy), { headers: cookie ? { cookie } : {} });
    await res.text();
    const set = res.headers.getSetCookie().map((l) => l.split(";", 1)[0]);
    if (set.length > 0) cookie = set.join("; ");
  }
}

async function livePage(browser, redisUrl) {
  const dir = await mkdtemp(join(tmpdir(), "session-lab-shots-"));
  try {
    const proxyPort = await freePort();
    const uiPort = await freePort();
    const lab = run(process.execPath, [
      cli,
      "start",
      "--dir",
      dir,
      "--port",
      String(proxyPort),
      "--ui",
      "--ui-port",
      String(uiPort),
      "--redis-url",
      redisUrl,
      "--no-watch",
      "--quiet",
    ]);
    const ui = `http://127.0.0.1:${uiPort}/`;
    const proxy = `http://127.0.0.1:${proxyPort}/`;
    await until("the live page", async () => {
      const view = await (await fetch(new URL("state", ui))).json();
      return view.instances.every((i) => i.status === "up");
    });
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(ui);
    await browse(proxy, ["/session/set/hello", "/", "/", "/", "/", "/"]);
    await page.getByRole("button", { name: "Run the check" }).click();
    await until("the check's verdict", async () =>
      /fail|pass/.test((await page.locator("#check-verdict").textContent()) ?? ""),
    );
    await browse(proxy, ["/session/set/welcome", "/", "/"]);
    await until("the feed", async () => (await page.locator("#requests").textContent()) === "9");
    await page.screenshot({ path: join(root, "docs", "live.png") });
    await page.close();
    await lab.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function boardPage(browser, redisUrl) {
  const port = await freePort();
  const board = run(process.execPath, [
    cli,
    "board",
    "--redis-url",
    redisUrl,
    "--room",
    "day-1",
    "--port",
    String(port),
  ]);
  const url = `http://127.0.0.1:${port}/`;
  await until("the board", async () => (await fetch(new URL("state", url))).ok);
  const room = `${redisUrl}#day-1`;
  const at = (minutesAgo) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const people = [
    [
      "Ada Lovelace",
      [
        ["fail", "own-store", 24],
        ["fail", "own-store", 18],
        ["pass", undefined, 9],
      ],
    ],
    [
      "Grace Hopper",
      [
        ["fail", "own-store", 22],
        ["pass", undefined, 15],
      ],
    ],
    [
      "Linus",
      [
        ["fail", "secret-mismatch", 20],
        ["fail", "secret-mismatch", 12],
        ["fail", "secret-mismatch", 3],
      ],
    ],
    ["Margaret Hamilton", [["pass", undefined, 14]]],
    ["Katherine Johnson", [["fail", "own-store", 6]]],
    ["Alan Turing", [["error", "no-answer", 4]]],
    [
      "Barbara Liskov",
      [
        ["fail", "own-store", 16],
        ["pass", undefined, 7],
      ],
    ],
    ["Dennis Ritchie", [["fail", "cookie-not-returned", 5]]],
  ];
  // In the order they happened, as a room publishes them.
  const ids = new Map(people.map(([name]) => [name, newAttendeeId()]));
  const checks = people
    .flatMap(([name, list]) =>
      list.map(([verdict, causeId, minutesAgo]) => ({ name, verdict, causeId, minutesAgo })),
    )
    .sort((a, b) => b.minutesAgo - a.minutesAgo);
  for (const { name, verdict, causeId, minutesAgo } of checks)
    await publishToRoom(
      room,
      {
        type: "check",
        name,
        at: at(minutesAgo),
        version: "screenshot",
        exercise: "01-shared-sessions",
        verdict,
        ...(causeId ? { causeId, cause: CAUSES[causeId] } : {}),
        scenarios: [{ id: "shared", status: verdict }],
        durationMs: 600,
      },
      ids.get(name),
    );
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(url);
  await until("every tile", async () => (await page.locator(".tile").count()) === people.length);
  await page.screenshot({ path: join(root, "docs", "board.png") });
  await page.close();
  await board.stop();
}

const CAUSES = {
  "own-store": "each instance reads its own session store",
  "secret-mismatch": "the instances sign their cookies with different secrets",
  "no-answer": "the app did not answer within 15 s",
  "cookie-not-returned": "the browser never sends the session cookie back",
};

const redisPort = await freePort();
const redis = run("redis-server", [
  "--port",
  String(redisPort),
  "--save",
  "",
  "--appendonly",
  "no",
]);
const redisUrl = `redis://127.0.0.1:${redisPort}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  await until("redis-server", async () => redis.output().includes("Ready to accept connections"));
  await livePage(browser, redisUrl);
  await boardPage(browser, redisUrl);
  console.log("Wrote docs/live.png and docs/board.png (1280×720).");
} finally {
  await browser.close();
  for (const handle of started.reverse()) await handle.stop();
}
