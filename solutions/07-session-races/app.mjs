// Exercise 07 — sessions under concurrency and attack (reference solution).
//
// The cart is not in the session object: each addition is one atomic SADD on a set of its own
// per session, so additions on two instances at the same time both count. Logging out leaves a
// tombstone before deleting the session, and the store writes a session only where there is no
// tombstone, checked and written in one Lua script: a slow request that ends after /logout
// cannot bring the session back. A login regenerates the session: a new id, the old one gone.
import { RedisStore } from "connect-redis";
import express from "express";
import session from "express-session";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = process.env.SESSION_PREFIX ?? "sess:";

const DAY_MS = 86_400_000;
const ended = (sid) => `${prefix}ended:${sid}`;
const cartOf = (sid) => `${prefix}cart:${sid}`;

// Writes a session unless it was ended (its tombstone exists): the check and the write are one
// atomic step in Redis, so no write can slip in between a logout and its check.
redis.defineCommand("setUnlessEnded", {
  numberOfKeys: 2,
  lua: 'if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1',
});

class GuardedStore extends RedisStore {
  set(sid, sess, callback = () => {}) {
    const expires = sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : 0;
    const ttlMs = expires ? Math.max(1, expires - Date.now()) : DAY_MS;
    redis
      .setUnlessEnded(this.prefix + sid, ended(sid), JSON.stringify(sess), ttlMs)
      .then(() => callback(), callback);
  }
}
const store = new GuardedStore({ client: redis, prefix });

/** Ends a session for good: the tombstone first, then the session and its cart. */
async function endSession(sid) {
  await redis.set(ended(sid), "1", "PX", DAY_MS);
  await redis.del(prefix + sid, cartOf(sid));
}

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

const cart = async (req) => (await redis.smembers(cartOf(req.sessionID))).sort();

// One SADD per addition: Redis applies them one after the other, none overwrites another.
app.get("/cart/add/:item", async (req, res, next) => {
  try {
    // A new visitor's session must be saved for its cookie to be sent; set the flag only once,
    // so that later additions do not write the session at all.
    if (!req.session.shopping) req.session.shopping = true;
    const key = cartOf(req.sessionID);
    await redis.multi().sadd(key, req.params.item).pexpire(key, DAY_MS).exec();
    res.type("html").send(page(req, `Added ${escapeHtml(req.params.item)}.`, await cart(req)));
  } catch (error) {
    next(error);
  }
});

app.get("/cart", async (req, res, next) => {
  try {
    res.type("html").send(page(req, "", await cart(req)));
  } catch (error) {
    next(error);
  }
});

// A new session id at login: an id planted before it (fixation) is worth nothing after it.
app.get("/login/:user", async (req, res, next) => {
  try {
    const before = req.sessionID;
    const items = await redis.smembers(cartOf(before));
    await endSession(before);
    req.session.regenerate(async (error) => {
      if (error) return next(error);
      try {
        req.session.user = req.params.user;
        if (items.length > 0) {
          await redis.multi().sadd(cartOf(req.sessionID), ...items).pexpire(cartOf(req.sessionID), DAY_MS).exec();
          req.session.shopping = true;
        }
        const note = `Logged in as ${escapeHtml(req.params.user)}.`;
        res.type("html").send(page(req, note, await cart(req)));
      } catch (failure) {
        next(failure);
      }
    });
  } catch (error) {
    next(error);
  }
});

app.get("/whoami", async (req, res, next) => {
  try {
    res.type("html").send(page(req, "", await cart(req)));
  } catch (error) {
    next(error);
  }
});

// The tombstone before the session is deleted: a slow request of this session that ends
// later finds it and writes nothing.
app.get("/logout", async (req, res, next) => {
  try {
    await endSession(req.sessionID);
    req.session.destroy((error) => (error ? next(error) : res.type("html").send(page(req, "Logged out."))));
  } catch (error) {
    next(error);
  }
});

// The lab's contract: / shows the session value, /session/set/<v> and /session/unset/ change it.
app.get("/", async (req, res, next) => {
  try {
    res.type("html").send(page(req, "", await cart(req)));
  } catch (error) {
    next(error);
  }
});
app.get("/session/set/:value", (req, res) => {
  req.session.value = req.params.value;
  res.type("html").send(page(req, "Stored."));
});
app.get("/session/unset/", (req, res) => {
  delete req.session.value;
  res.type("html").send(page(req, "Removed."));
});

app.listen(port, host, () => console.log(`listening on http://${host}:${port}`));

function page(req, note = "", cart = []) {
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
