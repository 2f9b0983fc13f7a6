// Exercise 04 — surviving a Redis outage.
//
// Sessions are in Redis. What happens to the site when Redis goes away for a moment (a
// failover, a restart, a network blip)? With the client's defaults every request waits for
// Redis to come back, pages hang, and visitors pile up. The site must instead answer at once
// with a 503 page that says the session service is down, never crash, and serve the existing
// sessions again, without a restart, as soon as Redis is back.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";

// TODO: fail fast while Redis is away instead of queueing every command until it is back.
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
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

// TODO: when the session store fails, answer 503 with a page that says so.

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
