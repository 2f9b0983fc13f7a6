// Exercise 06 — sessions in a Redis Cluster.
//
// The sessions outgrew one Redis: they now live in a Redis Cluster, three primaries (each with
// a replica) that share the 16384 hash slots between them. A key belongs to one slot, its slot
// to one primary, and a node asked for a key of another primary's slot answers
// `MOVED <slot> <host:port>`. The lab starts such a cluster of its own and tells every
// instance where its nodes are: REDIS_CLUSTER_NODES (host:port,host:port,...). REDIS_URL is
// one node of it, the fixed address this app uses.
//
// Routes: /login/<user>, /whoami, /logout, /logout-everywhere (exercise 02), and the lab's
// /, /session/set/<value>, /session/unset/.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";
const prefix = process.env.SESSION_PREFIX ?? "sess:";

// TODO: talk to the whole cluster (REDIS_CLUSTER_NODES), not to one of its nodes.
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const store = new RedisStore({ client: redis, prefix });

const app = express();
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? "change-me",
    resave: false,
    saveUninitialized: false,
  }),
);

// The set of a user's session ids, to end them all at once.
const sessionsOf = (user) => `${prefix}user:${user}`;

app.get("/login/:user", async (req, res, next) => {
  try {
    req.session.user = req.params.user;
    await redis.sadd(sessionsOf(req.params.user), req.sessionID);
    res.type("html").send(page(req, `Logged in as ${escapeHtml(req.params.user)}.`));
  } catch (error) {
    next(error);
  }
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
      // One round trip: the user's set and every one of their sessions in a single DEL.
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
