// The room board: renders the view the lab computes (nothing is decided here), live over
// Server-Sent Events. Every text from outside reaches the page through textContent.
import { $, cut, el, relativeX } from "./projector.js";

let view;
let chart;
let lastJson = "";
/** The timeline's top: every attendee. */
let top = 1;

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

function tile(t) {
  const li = el("li", `tile ${t.verdict}${t.stuck ? " stuck" : ""}`);
  li.dataset.name = t.name;
  li.append(cut("div", "name", t.name));
  li.append(el("div", "verdict", `${t.mark} ${t.label}`));
  if (t.causeId || t.cause) {
    const cause = cut("div", "cause", (t.causeId || "").replace(/-/g, " ") || t.cause);
    cause.title = t.cause || t.causeId;
    li.append(cause);
    if (t.causeId && t.cause) li.append(el("div", "detail", t.cause));
  }
  if (t.stuck) li.append(el("div", "stuck-note", `stuck: ${t.stuck}`));
  const checks = `${t.checks} check${t.checks === 1 ? "" : "s"}`;
  const meta = el("div", "meta", `${t.exercise ? `${t.exercise} · ` : ""}${checks} · `);
  meta.title = meta.textContent;
  const when = el("time", "ago", ago(t.lastAt));
  when.dateTime = t.lastAt;
  meta.append(when);
  li.append(meta);
  return li;
}

function render(next, json) {
  // Nothing changed (a periodic refresh): no DOM work at all.
  if (json === lastJson) return;
  lastJson = json;
  view = next;
  $("room").textContent = view.room;
  $("passing").textContent = String(view.passing);
  $("total").textContent = String(view.total);
  $("tiles").replaceChildren(...view.tiles.map(tile));
  $("empty").hidden = view.tiles.length > 0;
  const most = Math.max(1, ...view.causes.map((c) => c.count));
  $("causes").replaceChildren(
    ...view.causes.map((c) => {
      const li = el("li");
      li.append(cut("span", "label", c.causeId));
      li.append(el("span", "count", String(c.count)));
      const bar = el("span", "bar");
      bar.style.width = `${(100 * c.count) / most}%`;
      li.append(bar);
      return li;
    }),
  );
  $("no-causes").hidden = view.causes.length > 0;
  $("stuck").replaceChildren(...view.stuck.map((s) => cut("li", "", `${s.name}: ${s.reason}`)));
  $("no-stuck").hidden = view.stuck.length > 0;
  $("skipped").textContent = view.skipped
    ? `${view.skipped} foreign or malformed entries skipped`
    : "";
  drawTimeline(view.timeline, view.total);
}

/** Minutes of the workshop: from the first change in who passes, to now. */
function timelineData(points) {
  if (points.length === 0) return [[], []];
  const start = Date.parse(points[0].at);
  const minutes = (t) => Math.max(0, (t - start) / 60_000);
  const now = minutes(Date.now());
  const last = points.at(-1);
  // The count holds until now: one point is a line, not a dot lost at the edge.
  // Inboxes are read in turn, so a check can come after a later one: time never runs back.
  const xs = [];
  for (const p of points) xs.push(Math.max(xs.at(-1) ?? 0, minutes(Date.parse(p.at))));
  return [
    [...xs, Math.max(now, xs.at(-1))],
    [...points.map((p) => p.passing), last.passing],
  ];
}

function drawTimeline(points, total) {
  const box = $("timeline");
  const data = timelineData(points);
  if (!window.uPlot || data[0].length === 0) return;
  const span = Math.max(10, Math.ceil(data[0].at(-1) / 5) * 5);
  const x = relativeX([0, span], (v) => `${Math.round(v)} min`);
  top = Math.max(1, total);
  if (chart && chart.scales.x.max !== span) {
    chart.destroy();
    chart = undefined;
  }
  if (!chart) {
    chart = new window.uPlot(
      {
        width: box.clientWidth || 400,
        height: 180,
        hooks: x.hooks,
        scales: { x: x.scale, y: { range: () => [0, top] } },
        series: [
          x.series,
          {
            label: "passing",
            stroke: "#0a6b2d",
            width: 3,
            paths: window.uPlot.paths.stepped({ align: 1 }),
            points: { show: false },
          },
        ],
        axes: [
          x.axis,
          { label: "attendees passing", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500], size: 50 },
        ],
        legend: { show: false },
      },
      data,
      box,
    );
  } else {
    chart.setData(data);
  }
}

function setStatus(up) {
  const status = $("status");
  status.textContent = up ? "live" : "reconnecting…";
  status.className = `status ${up ? "up" : "down"}`;
}

// EventSource retries a dropped stream by itself, but not one the board turned away (503:
// too many pages open): that one is opened again a few seconds later.
function listen() {
  const source = new EventSource("/events");
  source.addEventListener("view", (e) => render(JSON.parse(e.data), e.data));
  source.addEventListener("status", (e) => setStatus(JSON.parse(e.data).up));
  source.addEventListener("error", () => {
    setStatus(false);
    if (source.readyState === EventSource.CLOSED) setTimeout(listen, 5000);
  });
}
listen();
setInterval(() => {
  for (const t of document.querySelectorAll("time.ago")) t.textContent = ago(t.dateTime);
  if (view) drawTimeline(view.timeline, view.total);
}, 5000);
window.addEventListener("resize", () => {
  chart?.setSize({ width: $("timeline").clientWidth, height: 180 });
});
