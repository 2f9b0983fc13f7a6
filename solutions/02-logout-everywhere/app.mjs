// Exercise 02 — log out everywhere (reference solution).
//
// Each login adds the session id to a Redis set per user; "log out everywhere" destroys every
// session in that set, whichever instance and browser made it, then the set itself.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = process.env.SESSION_PREFIX ?? "sess:";
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
      await Promise.all(ids.map((id) => new Promise((done) => store.destroy(id, done))));
      await redis.del(sessionsOf(user));
    }
    req.session.destroy((error) =>
      error ? next(error) : res.type("html").send(page(req, "Logged out everywhere.")),
    );
  } catch (error) {
    next(error);
  }
});

// The lab's contract: / shows the session value, /session/set/<v> and /session/unset/ change it.
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
  return `<!doctype html><html><head><meta charset="utf-8"><title>Log out everywhere</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}<p>${user ? `Logged in as <strong id="user">${escapeHtml(user)}</strong>` : "Anonymous."}</p>
${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
