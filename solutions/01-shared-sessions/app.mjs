// Exercise 01 — shared sessions.
//
// This app keeps each visitor's session in files under sessions/<port>/, one folder per
// instance, the way separate machines would each have their own disk. Run one instance and
// it works. Run two behind a round-robin load balancer and the value you set is only there
// every other request. Your job: move the sessions into Redis so every instance sees them.
import express from "express";
import session from "express-session";
import { RedisStore } from "connect-redis";
import { Redis } from "ioredis";

const port = Number(process.env.APP_PORT ?? 5000);
const host = process.env.APP_HOST ?? "127.0.0.1";

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
  }),
);

app.get("/", (req, res) => {
  res.type("html").send(page(req.session.value, port));
});

app.get("/session/set/:value", (req, res) => {
  req.session.value = req.params.value;
  res.type("html").send(page(req.session.value, port, "Stored."));
});

app.get("/session/unset/", (req, res) => {
  delete req.session.value;
  res.type("html").send(page(undefined, port, "Removed."));
});

app.listen(port, host, () => {
  console.log(`listening on http://${host}:${port}`);
});

function page(value, servedBy, note = "") {
  const shown =
    value === undefined
      ? "<p>No session value is set.</p>"
      : `<p>Session value: <strong id="value">${escapeHtml(value)}</strong></p>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Shared sessions</title>
<link rel="icon" href="data:,"></head>
<body>
${note ? `<p>${note}</p>` : ""}${shown}
<p>Served by port <span id="port">${servedBy}</span>.</p>
<p><a href="/">view</a> · <a href="/session/set/hello">set "hello"</a> · <a href="/session/unset/">unset</a></p>
</body></html>
`;
}

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}
