// The live page: renders the view the lab computes, pushed over Server-Sent Events.
// Every text from outside (paths, values, visitors) reaches the page through textContent.
import { $, el } from "./projector.js";

const token = document.querySelector('meta[name="session-lab-token"]').content;
const STATES = { up: "● up", starting: "↻ starting", restarting: "↻ restarting", down: "✘ down" };
const MARKS = { pass: "✔", fail: "✘", error: "⚠", skipped: "–" };
/** Rows of the feed on screen: readable from the back of the room, and the charts still in view. */
const FEED_ROWS = 12;
let followed = "";
let charts;

function instanceCard(i) {
  const li = el("li", `instance ${i.status}`);
  li.dataset.port = String(i.port);
  li.append(el("div", "name", `app-${i.index} :${i.port}`));
  li.append(el("div", "state", STATES[i.status] ?? i.status));
  li.append(el("div", "served", `${i.served} requests`));
  li.append(el("div", i.lost > 0 ? "lost" : "reads", `${i.lost} of ${i.reads} reads lost`));
  return li;
}

function feedRow(f) {
  const tr = el("tr", f.shows === false ? "lost" : f.shows === true ? "shown" : "");
  const value = f.shows === false ? "✘ lost" : f.shows === true ? "✔ shown" : "";
  const cells = [
    f.method,
    f.path,
    f.port ? `:${f.port}` : "none",
    String(f.status),
    String(f.ms),
    f.visitor ?? "",
    value,
  ];
  const columns = ["method", "path", "port", "status", "ms", "visitor", "value"];
  for (const [n, text] of cells.entries()) tr.append(el("td", `c-${columns[n]}`, text));
  return tr;
}

function renderFollow(visitors) {
  const select = $("visitor");
  if (!followed && visitors[0]) followed = visitors[0].id;
  select.replaceChildren(
    ...visitors.map((v) => {
      const option = el("option", "", `${v.id}${v.value ? ` · value ${v.value}` : ""}`);
      option.value = v.id;
      option.selected = v.id === followed;
      return option;
    }),
  );
  const visitor = visitors.find((v) => v.id === followed);
  $("follow").replaceChildren(
    ...(visitor?.seen ?? []).map((s) => {
      const mark =
        s.shows === false
          ? "✘ lost"
          : s.shows === true
            ? "✔"
            : s.path.startsWith("/session/set")
              ? "set"
              : "";
      const li = el(
        "li",
        s.shows === false ? "lost" : s.shows === true ? "shown" : "",
        `${s.port ? `:${s.port}` : "?"} ${mark}`,
      );
      return li;
    }),
  );
}

function renderCharts(chart) {
  const box = $("charts");
  if (!window.uPlot || chart.seconds.length < 2) return;
  box.hidden = false;
  const series = (label) => [
    {},
    ...chart.ports.map((p, n) => ({
      label: `:${p} ${label}`,
      stroke: ["#0645ad", "#b3001b", "#0a6b2d", "#8a4b00"][n % 4],
      width: 2,
    })),
  ];
  const rps = [chart.seconds, ...chart.rps];
  const lost = [chart.seconds, ...chart.lostPct];
  if (!charts) {
    const width = $("rps-chart").clientWidth || 400;
    charts = {
      rps: new window.uPlot(
        { width, height: 150, title: "requests per second", series: series("req/s") },
        rps,
        $("rps-chart"),
      ),
      lost: new window.uPlot(
        {
          width,
          height: 150,
          title: "% of reads lost",
          series: series("% lost"),
          scales: { y: { range: [0, 100] } },
        },
        lost,
        $("lost-chart"),
      ),
    };
  } else {
    charts.rps.setData(rps);
    charts.lost.setData(lost);
  }
}

function render(view) {
  lastView = view;
  $("requests").textContent = String(view.requests);
  $("lost").textContent = String(view.lost);
  $("buttons").hidden = !view.buttons || !token;
  $("instances").replaceChildren(...view.instances.map(instanceCard));
  $("feed").replaceChildren(...view.feed.slice(0, FEED_ROWS).map(feedRow));
  $("no-traffic").hidden = view.feed.length > 0;
  renderFollow(view.visitors);
  renderCharts(view.chart);
  $("load").hidden = !view.load;
  if (view.load)
    $("load-summary").textContent = view.load.running ? "running…" : (view.load.summary ?? "");
  $("check-panel").hidden = !view.check;
  if (view.check) {
    $("check-verdict").textContent = view.check.running
      ? "running…"
      : `${MARKS[view.check.verdict] ?? ""} ${view.check.verdict ?? ""}${view.check.cause ? `: ${view.check.cause}` : ""}`;
    $("check-scenarios").replaceChildren(
      ...view.check.scenarios.map((s) =>
        el("li", s.status, `${MARKS[s.status] ?? ""} ${s.id}: ${s.summary}`),
      ),
    );
  }
}

let lastView;
$("visitor").addEventListener("change", (e) => {
  followed = e.target.value;
  if (lastView) renderFollow(lastView.visitors);
});
for (const action of ["check", "restart"]) {
  $(action).addEventListener("click", () =>
    fetch(`/actions/${action}`, { method: "POST", headers: { "x-session-lab-token": token } }),
  );
}
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
