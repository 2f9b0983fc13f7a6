// Exercise 06 — sessions in a Redis Cluster (reference solution).
//
// The client is cluster-aware (ioredis `Cluster`): it learns which primary serves which slot
// from the nodes in REDIS_CLUSTER_NODES and sends each key to its own, following MOVED and
// ASK by itself. connect-redis needs nothing more: every command it sends touches one key.
// "Log out everywhere" deletes the user's set and all of their sessions in one DEL, which a
// cluster allows only within one slot: a user's keys share a hash tag, `{<user>}`. The set is
// `<prefix>{ada}:sessions`, and at login the session gets a new id that starts with `{ada}`
// (which also ends any session fixation), so its key `<prefix>{ada}…` is in the same slot.
// The session prefix itself has no braces: anonymous sessions spread over every primary.
import { randomUUID } from "node:crypto";
import { setTimeout as wait } from "node:timers/promises";
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Cluster } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";
const prefix = process.env.SESSION_PREFIX ?? "sess:";

const nodes = (process.env.REDIS_CLUSTER_NODES ?? "127.0.0.1:7000").split(",").map((address) => {
  const [nodeHost, nodePort] = address.trim().split(":");
  return { host: nodeHost, port: Number(nodePort) };
});
const redis = new Cluster(nodes);
redis.on("error", (error) => console.error(`Redis Cluster: ${error.message}`));
const store = new RedisStore({ client: redis, prefix });

// The hash tag of a user: braces inside a name would end the tag early, so they are left out.
const tagOf = (user) => `{${String(user).replace(/[{}]/g, "")}}`;
const sessionsOf = (user) => `${prefix}${tagOf(user)}:sessions`;

const app = express();
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? "change-me",
    resave: false,
    saveUninitialized: false,
    // At login (see below) the new id carries the user's hash tag; otherwise a plain one.
    genid: (req) => `${req.loggingIn ? tagOf(req.loggingIn) : ""}${randomUUID()}`,
  }),
);

app.get("/login/:user", (req, res, next) => {
  const user = req.params.user;
  req.loggingIn = user;
  req.session.regenerate(async (error) => {
    if (error) return next(error);
    try {
      req.session.user = user;
      await redis.sadd(sessionsOf(user), req.sessionID);
      res.type("html").send(page(req, `Logged in as ${escapeHtml(user)}.`));
    } catch (failed) {
      next(failed);
    }
  });
});

app.get("/whoami", (req, res) => res.type("html").send(page(req)));

app.get("/logout", async (req, res, next) => {
  try {
    const user = req.session.user;
    if (user) await redis.srem(sessionsOf(user), req.sessionID);
    req.session.destroy((error) => (error ? next(error) : res.type("html").send(page(req, "Logged out."))));
  } catch (error) {
    next(error);
  }
});

app.get("/logout-everywhere", async (req, res, next) => {
  try {
    const user = req.session.user;
    if (user) {
      const ids = await redis.smembers(sessionsOf(user));
      // One DEL, one slot: the set and every session id in it share the user's hash tag.
      await redis.del(sessionsOf(user), ...ids.map((id) => prefix + id));
    }
    req.session.destroy((error) =>
      error ? next(error) : res.type("html").send(page(req, "Logged out everywhere.")),
    );
  } catch (error) {
    next(error);
  }
});

app.get("/", (req, res) => res.type("html").send(page(req)));
app.get("/session/set/:value", (req, res) => {
  req.session.value = req.params.value;
  res.type("html").send(page(req, "Stored."));
});
app.get("/session/unset/", (req, res) => {
  delete req.session.value;
  res.type("html").send(page(req, "Removed."));
});

// The cluster's map of slots is known once it is ready: listen then (or after 3 s, and let
// the client keep trying).
await Promise.race([new Promise((resolve) => redis.once("ready", resolve)), wait(3000)]);
app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

function page(req, note = "") {
  const user = req.session?.user;
  const value = req.session?.value;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Redis Cluster</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}<p>${user ? `Logged in as <strong id="user">${escapeHtml(user)}</strong>` : "Anonymous."}</p>
${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
