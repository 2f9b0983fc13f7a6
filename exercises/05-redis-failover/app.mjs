// Exercise 05 — sessions that survive a Sentinel failover.
//
// In production Redis is not one server: a primary, a replica that copies it, and three
// sentinels that watch the primary and promote the replica when it fails (or when an operator
// asks, for maintenance). The lab starts such a set-up of its own and tells every instance
// where the sentinels are: REDIS_SENTINELS (host:port,host:port,...) and REDIS_MASTER_NAME.
// This app connects to one fixed address. After a failover that address is a read-only
// replica (writes fail with READONLY), or a primary that hangs: the site must follow the new
// primary by itself, keep every session, and say 503 (not hang) while the switch is under way.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";

// TODO: ask the sentinels (REDIS_SENTINELS, REDIS_MASTER_NAME) where the primary is, and follow it.
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

// TODO: while the primary changes, answer 503 with a page that says so.

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
