// Exercise 03 — expiring sessions.
//
// Sessions are in Redis and shared. But they never expire: a visitor who walked away from a
// shared computer a week ago is still logged in. The lab gives every instance
// SESSION_TTL_SECONDS: a session must end after that long without activity, and every
// request must extend it (sliding expiry), in the cookie and in Redis.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";
const ttl = Number(process.env.SESSION_TTL_SECONDS ?? 60);

const store = new RedisStore({
  client: new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379"),
  prefix: process.env.SESSION_PREFIX ?? "sess:",
});

const app = express();
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? "change-me",
    resave: false,
    saveUninitialized: false,
    // TODO: a lifetime of SESSION_TTL_SECONDS (`ttl` above), extended by every request.
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

app.listen(port, host, () => console.log(`listening on http://${host}:${port} (sessions last ${ttl} s)`));

function page(value, note = "") {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Expiring sessions</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
