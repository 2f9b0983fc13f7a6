// Exercise 07 — sessions under concurrency and attack.
//
// Sessions are in Redis and shared by every instance. Now two requests of one visitor run at
// the same time, on two instances: each reads the session, changes it and writes all of it
// back, and the later write wins. Items added to the cart at the same time get lost, a slow
// request that began before /logout writes the session back after it (logged in again), and
// a login keeps the session id the visitor had before it (session fixation). Your job: make
// concurrent changes add up, make logout win, and give a login a new session id.
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

// Any route waits ?delay=<ms> (at most 5 s) after its session is loaded: how the lab makes a
// request slow on purpose, to run two at the same time. Keep this.
app.use((req, _res, next) => {
  const delay = Math.min(Number(req.query.delay) || 0, 5000);
  if (delay > 0) setTimeout(next, delay);
  else next();
});

// TODO: two additions at the same time, on two instances, must both end up in the cart.
app.get("/cart/add/:item", (req, res) => {
  req.session.cart = [...(req.session.cart ?? []), req.params.item];
  res.type("html").send(page(req, `Added ${escapeHtml(req.params.item)}.`));
});

app.get("/cart", (req, res) => res.type("html").send(page(req)));

// TODO: a login must not keep the session id the visitor had before it.
app.get("/login/:user", (req, res) => {
  req.session.user = req.params.user;
  res.type("html").send(page(req, `Logged in as ${escapeHtml(req.params.user)}.`));
});

app.get("/whoami", (req, res) => res.type("html").send(page(req)));

// TODO: once logged out, a request that was already under way must not bring the session back.
app.get("/logout", (req, res, next) => {
  req.session.destroy((error) => (error ? next(error) : res.type("html").send(page(req, "Logged out."))));
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

function page(req, note = "", cart = req.session?.cart ?? []) {
  const user = req.session?.user;
  const value = req.session?.value;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Session races</title><link rel="icon" href="data:,"></head><body>
${note ? `<p>${note}</p>` : ""}<p>${user ? `Logged in as <strong id="user">${escapeHtml(user)}</strong>` : "Anonymous."}</p>
${value === undefined ? "<p>No session value is set.</p>" : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`}
<p>Cart: <span id="cart">${cart.map(escapeHtml).join(",")}</span></p>
<p>Served by port <span id="port">${port}</span>.</p></body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
