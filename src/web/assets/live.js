// The live page: renders the view the lab computes, pushed over Server-Sent Events.
// Every text from outside (paths, values, visitors) reaches the page through textContent.

import { renderRedis } from "./live-redis.js";
import { $, cut, el, relativeX, short } from "./projector.js";

const token = document.querySelector('meta[name="session-lab-token"]').content;
const STATES = { up: "● up", starting: "↻ starting", restarting: "↻ restarting", down: "✘ down" };
const MARKS = { pass: "✔", fail: "✘", error: "⚠", skipped: "–" };
/** Rows of the feed on screen: readable from the back of the room, and the charts still in view. */
const FEED_ROWS = 12;
/** The chart's window, in seconds before now. */
const WINDOW = 60;
const COLOURS = ["#0645ad", "#b3001b", "#0a6b2d", "#8a4b00"];
let followed = "";
/** The visitor the user picked (never replaced by a newer one). */
let chosen = false;
/** Which requests the table shows: "browser" (the attendee's) or "lab" (the check's and load's). */
let tab = "browser";
let tabChosen = false;
let charts;
let lastView;
let optionsKey = "";
/** The followed visitor as last seen, kept when newer visitors push it out of the view. */
let lastFollowed;

function instanceCard(i) {
  const li = el("li", `instance ${i.status}`);
  li.dataset.port = String(i.port);
  li.append(el("div", "name", `app-${i.index} :${i.port}`));
  li.append(el("div", "state", STATES[i.status] ?? i.status));
  li.append(el("div", "served", `${i.served} requests`));
  li.append(el("div", i.lost > 0 ? "lost" : "reads", `${i.lost} of ${i.reads} reads lost`));
  if (i.lab.served > 0)
    li.append(el("div", "lab", `check & load: ${i.lab.served} req · ${i.lab.lost} lost`));
  return li;
}

/** Answered 5xx, or not at all: a request that failed (a failover under way, an app down). */
const failed = (status) => status >= 500 || status === 0;

function valueText(f) {
  if (failed(f.status)) return "✘ failed";
  if (f.shows === false) return "✘ lost";
  if (f.shows === true) return "✔ shown";
  if (f.set !== undefined) return `set ${f.set}`;
  return "";
}

function feedRow(f) {
  const tr = el(
    "tr",
    failed(f.status) ? "failed" : f.shows === false ? "lost" : f.shows === true ? "shown" : "",
  );
  tr.dataset.source = f.source;
  if (f.source !== "browser") tr.title = `the lab's ${f.source}`;
  tr.append(
    el("td", "c-method", f.method),
    cut("td", "c-path", f.path),
    el("td", "c-port", f.port ? `:${f.port}` : "none"),
    el("td", "c-status", String(f.status)),
    el("td", "c-ms", String(f.ms)),
    cut("td", "c-visitor", f.visitor ?? ""),
    cut("td", "c-value", valueText(f)),
  );
  return tr;
}

function option(v) {
  const text = `${v.source === "browser" ? "" : `${v.source} · `}${v.id}${v.value ? ` · ${v.value}` : ""}`;
  const node = el("option", "", short(text, 32));
  node.value = v.id;
  node.title = text;
  return node;
}

function renderFollow(view) {
  const select = $("visitor");
  const all = [...view.visitors, ...view.labVisitors];
  // Until the user picks one: the newest browser's visitor, else one of the lab's.
  if (!chosen && (!followed || !view.visitors.some((v) => v.id === followed)))
    followed = (view.visitors[0] ?? view.labVisitors[0])?.id ?? followed;
  const known = all.find((v) => v.id === followed);
  if (known) lastFollowed = known;
  const visitor = known ?? (lastFollowed?.id === followed ? lastFollowed : undefined);
  // The options are rebuilt only when they change: a list open in the user's hand stays open.
  const shown = [...view.visitors, ...(visitor && !known ? [visitor] : [])];
  const key = JSON.stringify([shown, view.labVisitors].map((l) => l.map((v) => [v.id, v.value])));
  if (key !== optionsKey) {
    optionsKey = key;
    const groups = [];
    if (shown.length > 0) {
      const group = el("optgroup");
      group.label = "browsers";
      group.append(...shown.map(option));
      groups.push(group);
    }
    if (view.labVisitors.length > 0) {
      const group = el("optgroup");
      group.label = "the check's and load's";
      group.append(...view.labVisitors.map(option));
      groups.push(group);
    }
    select.replaceChildren(...groups);
  }
  select.value = followed;
  select.title = select.selectedOptions[0]?.title ?? "";
  $("follow").replaceChildren(
    ...(visitor?.timeline ?? []).map((group) => {
      if (group.length === 1) return chip(group[0], false);
      // Requests that ran at the same time, side by side: where an update gets lost.
      const li = el("li", "overlap");
      li.append(el("span", "overlap-label", `⇉ ${group.length} at once`), el("ol", "lanes"));
      li.lastChild.append(...group.map((s) => chip(s, true)));
      return li;
    }),
  );
}

/** One request of the followed visitor; inside a group, with its path and what it overlapped. */
function chip(s, grouped) {
  const mark = failed(s.status)
    ? `✘ ${s.status || "failed"}`
    : s.shows === false
      ? "✘ lost"
      : s.shows === true
        ? "✔"
        : s.path.startsWith("/session/set")
          ? "set"
          : "";
  const li = el(
    "li",
    failed(s.status) || s.shows === false ? "lost" : s.shows === true ? "shown" : "",
  );
  li.dataset.n = String(s.n);
  li.append(el("span", "n", `#${s.n} `), `${s.port ? `:${s.port}` : "?"} ${mark}`);
  const overlapped =
    s.overlaps.length > 0 ? `overlapped with ${s.overlaps.map((n) => `#${n}`).join(", ")}` : "";
  li.title = `${s.path} · ${Math.round(s.end - s.start)} ms${overlapped ? ` · ${overlapped}` : ""}`;
  if (grouped) {
    li.append(cut("span", "path", s.path));
    if (overlapped) li.append(el("span", "with", overlapped));
  }
  return li;
}

function chartData(chart, series) {
  const now = Date.now() / 1000;
  return [chart.seconds.map((s) => Math.min(0, s - now)), ...series];
}

function renderCharts(chart) {
  const box = $("charts");
  if (!window.uPlot || chart.seconds.length === 0) return;
  box.hidden = false;
  const x = relativeX([-WINDOW, 0], (v) =>
    Math.round(v) === 0 ? "now" : `${Math.round(-v)} s ago`,
  );
  const options = (title, label, y) => ({
    width: $("rps-chart").clientWidth || 400,
    height: 140,
    title,
    hooks: x.hooks,
    // Labels only: values that change with every update would be more DOM work than reading.
    legend: { live: false },
    scales: { x: x.scale, y },
    axes: [x.axis, { size: 44 }],
    series: [
      x.series,
      ...chart.ports.map((p, n) => ({
        label: `:${p} ${label}`,
        stroke: COLOURS[n % COLOURS.length],
        width: 2,
        points: { show: chart.seconds.length < 3, size: 8 },
      })),
    ],
  });
  const rps = chartData(chart, chart.rps);
  const lost = chartData(chart, chart.lostPct);
  if (!charts) {
    charts = {
      rps: new window.uPlot(
        options("requests per second", "req/s", {
          range: (_u, _min, max) => [0, Math.max(1, max)],
        }),
        rps,
        $("rps-chart"),
      ),
      lost: new window.uPlot(
        options("% of reads lost", "% lost", { range: [0, 100] }),
        lost,
        $("lost-chart"),
      ),
    };
  } else {
    charts.rps.setData(rps);
    charts.lost.setData(lost);
  }
}

function renderFeed(view) {
  if (!tabChosen) tab = view.feed.length === 0 && view.labFeed.length > 0 ? "lab" : "browser";
  const feed = tab === "lab" ? view.labFeed : view.feed;
  $("tab-browser").setAttribute("aria-pressed", String(tab === "browser"));
  $("tab-lab").setAttribute("aria-pressed", String(tab === "lab"));
  $("tab-browser-count").textContent = String(view.requests);
  const lab = view.labTraffic.check.requests + view.labTraffic.load.requests;
  $("tab-lab-count").textContent = String(lab);
  $("feed").replaceChildren(...feed.slice(0, FEED_ROWS).map(feedRow));
  $("no-traffic").hidden = feed.length > 0;
}

function render(view) {
  lastView = view;
  $("requests").textContent = String(view.requests);
  $("lost").textContent = String(view.lost);
  for (const source of ["check", "load"]) {
    const t = view.labTraffic[source];
    $(`${source}-totals`).hidden = t.requests === 0;
    $(`${source}-requests`).textContent = String(t.requests);
    $(`${source}-lost`).textContent = String(t.lost);
  }
  $("buttons").hidden = !view.buttons || !token;
  for (const action of ["check", "restart", "failover"])
    $(action).hidden = !(view.actions ?? []).includes(action);
  renderRedis(view.redis);
  $("instances").replaceChildren(...view.instances.map(instanceCard));
  renderFeed(view);
  renderFollow(view);
  renderCharts(view.chart);
  $("load").hidden = !view.load;
  if (view.load) {
    const text = view.load.running ? "running…" : (view.load.summary ?? "");
    $("load-summary").textContent = text;
    $("load-summary").title = text;
  }
  $("check-panel").hidden = !view.check;
  if (view.check) {
    const verdict = view.check.running
      ? "running…"
      : `${MARKS[view.check.verdict] ?? ""} ${view.check.verdict ?? ""}${view.check.cause ? `: ${view.check.cause}` : ""}`;
    $("check-verdict").textContent = verdict;
    $("check-scenarios").replaceChildren(
      ...view.check.scenarios.map((s) =>
        cut("li", s.status, `${MARKS[s.status] ?? ""} ${s.id}: ${s.summary}`),
      ),
    );
  }
}

$("visitor").addEventListener("change", (e) => {
  followed = e.target.value;
  chosen = true;
  if (lastView) renderFollow(lastView);
});
for (const which of ["browser", "lab"]) {
  $(`tab-${which}`).addEventListener("click", () => {
    tab = which;
    tabChosen = true;
    if (lastView) renderFeed(lastView);
  });
}
for (const action of ["check", "restart", "failover"]) {
  $(action).addEventListener("click", () =>
    fetch(`/actions/${action}`, { method: "POST", headers: { "x-session-lab-token": token } }),
  );
}
// "s ago" moves with the clock even when no request comes: the charts alone, once a second.
setInterval(() => {
  if (charts && lastView) {
    charts.rps.setData(chartData(lastView.chart, lastView.chart.rps));
    charts.lost.setData(chartData(lastView.chart, lastView.chart.lostPct));
  }
}, 1000);
window.addEventListener("resize", () => {
  if (!charts) return;
  const width = $("rps-chart").clientWidth;
  for (const c of Object.values(charts)) c.setSize({ width, height: 140 });
});
// EventSource retries a dropped stream by itself, but not one the lab turned away (503: too
// many pages open): that one is opened again a few seconds later.
function listen() {
  const source = new EventSource("/events");
  source.addEventListener("view", (e) => render(JSON.parse(e.data)));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) setTimeout(listen, 5000);
  });
}
listen();
