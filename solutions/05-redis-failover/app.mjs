// Exercise 05 — sessions that survive a Sentinel failover (reference solution).
//
// The client asks the sentinels where the primary is (ioredis `sentinels` + `name`), follows
// them when they announce a new one (`failoverDetector`), reconnects and retries a write that
// met READONLY, and gives up on a hung primary after a second (`commandTimeout`): the error
// handler answers 503 meanwhile. The sessions themselves are on the primary, which the replica
// copies: the promoted replica has them all.
import { setTimeout as wait } from "node:timers/promises";
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";

const sentinels = (process.env.REDIS_SENTINELS ?? "127.0.0.1:26379").split(",").map((address) => {
  const [sentinelHost, sentinelPort] = address.trim().split(":");
  return { host: sentinelHost, port: Number(sentinelPort) };
});
const redis = new Redis({
  sentinels,
  name: process.env.REDIS_MASTER_NAME ?? "mymaster",
  // The sentinels announce a new primary (+switch-master): drop the old one at once, even hung.
  failoverDetector: true,
  // A primary that hangs must not hang the pages: fail the command, answer 503.
  commandTimeout: 1000,
  maxRetriesPerRequest: 1,
  // A primary turned replica answers writes with READONLY: reconnect (through the sentinels,
  // to the new primary) and send the command again.
  reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
});
redis.on("error", () => {}); // reconnecting is the client's job; do not crash on its errors
const store = new RedisStore({ client: redis, prefix: process.env.SESSION_PREFIX ?? "sess:" });

const app = express();
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? "change-me",
    resave: false,
    saveUninitialized: false,
  }),
);

app.get("/", (req, res) => res.type("html").send(page(req.session.value)));
app.get("/session/set/:value", (req, res) => {
  req.session.value = req.params.value;
  res.type("html").send(page(req.session.value, "Stored."));
});
app.get("/session/unset/", (req, res) => {
  delete req.session.value;
  res.type("html").send(page(undefined, "Removed."));
});

app.use((error, req, res, next) => {
  console.error(`503 for ${req.method} ${req.url}: ${error.message}`);
  res.status(503).type("html").send("<p>The session service is down; try again in a moment.</p>\n");
});

await Promise.race([new Promise((resolve) => redis.once("ready", resolve)), wait(3000)]);
app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

function page(value, note = "") {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Redis failover</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
