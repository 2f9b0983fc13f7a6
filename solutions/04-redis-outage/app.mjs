// Exercise 04 — surviving a Redis outage (reference solution).
//
// The client fails fast (no offline queue, no retries per command, a short command timeout)
// and keeps reconnecting in the background; the store's errors reach an error handler that
// answers 503. When Redis is back, the next request works again. Without an offline queue a
// command sent before the connection is ready fails too, so the app takes requests only once
// Redis is connected (or after 3 s without it: then its pages say that Redis is down).
import { setTimeout as wait } from "node:timers/promises";
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 500,
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
  return `<!doctype html><html><head><meta charset="utf-8"><title>Redis outage</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
