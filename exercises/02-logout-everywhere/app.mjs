// Exercise 02 — log out everywhere.
//
// Sessions are in Redis now, shared by every instance. A user can be logged in from several
// browsers at once, each with its own session. "Log out everywhere" must end all of them,
// but this app only ends the session of the browser that asked. Your job: remember, in
// Redis, which sessions each user has, and destroy all of them.
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

app.get("/login/:user", (req, res) => {
  req.session.user = req.params.user;
  res.type("html").send(page(req, `Logged in as ${escapeHtml(req.params.user)}.`));
});

app.get("/whoami", (req, res) => res.type("html").send(page(req)));

app.get("/logout", (req, res, next) => {
  req.session.destroy((error) => (error ? next(error) : res.type("html").send(page(req, "Logged out."))));
});

// TODO: end every session of this user, not only this browser's.
app.get("/logout-everywhere", (req, res, next) => {
  req.session.destroy((error) =>
    error ? next(error) : res.type("html").send(page(req, "Logged out everywhere.")),
  );
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
