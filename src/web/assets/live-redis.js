// The live page's Redis panel (exercises 05 and 06): the lab's own Sentinel set-up or Cluster.
// Text reaches the page through textContent only.
import { $, cut, el } from "./projector.js";

const port = (address) => `:${address.slice(address.lastIndexOf(":") + 1)}`;
const clock = (at) => new Date(at).toLocaleTimeString([], { hour12: false });

function node(className, text, title) {
  const li = cut("li", className, text);
  if (title) li.title = title;
  return li;
}

/** The lab's own Sentinel set-up or Cluster: who is primary, what happened, what failed since. */
export function renderRedis(redis) {
  $("redis").hidden = !redis;
  if (!redis) return;
  const t = redis.topology;
  const nodes = [];
  if (t.kind === "sentinel") {
    $("redis-kind").textContent = `Sentinel · ${t.masterName}`;
    nodes.push(
      t.primary
        ? node("primary", `★ primary ${port(t.primary)}`, t.primary)
        : node("switching", "⇄ switching: the sentinels disagree"),
    );
    for (const r of t.replicas)
      nodes.push(
        node(
          r.up ? "replica" : "replica down",
          `replica ${port(r.address)}${r.up ? "" : " ✘ down"}`,
          r.address,
        ),
      );
    const down = t.sentinels.filter((s) => !s.up).length;
    nodes.push(
      node(
        "sentinels",
        `sentinels ${t.sentinels.map((s) => port(s.address)).join(" ")}${down ? ` (${down} ✘ down)` : ""}`,
      ),
    );
  } else {
    $("redis-kind").textContent = `Cluster · ${t.shards.length} primaries`;
    const head = el("li", "shard head");
    head.append(
      el("span", "", "primary"),
      " ",
      el("span", "", "slots"),
      " ",
      el("span", "", "replica"),
    );
    nodes.push(head);
    for (const s of t.shards) {
      const slots = s.slots.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(", ");
      const replicas = s.replicas.map(port).join(" ");
      // Three columns under one heading (primary, slots, replica): the longest range fits.
      const li = el("li", "shard");
      li.title = `${s.primary}: slots ${slots}${replicas ? `; replicas ${s.replicas.join(", ")}` : ""}`;
      li.append(
        el("span", "primary", `★ ${port(s.primary)}`),
        " ",
        cut("span", "slots", slots),
        " ",
        cut("span", "replicas", replicas || "none"),
      );
      nodes.push(li);
    }
  }
  $("redis-nodes").replaceChildren(...nodes);
  const since = redis.since;
  $("redis-since").hidden = !since;
  if (since) {
    // Failed (5xx) is what a good app says during a switch; a lost session is what it must not do.
    const failedText = `${since.failed > 0 ? "⚠" : "✔"} ${since.failed} failed`;
    const lostText = `${since.lost > 0 ? "✘" : "✔"} ${since.lost} lost`;
    $("redis-since").textContent =
      `since ${clock(since.at)}: ${failedText} · ${lostText} of ${since.requests} requests`;
    $("redis-since").className =
      `redis-since${since.lost > 0 ? " bad" : since.failed > 0 ? " warn" : ""}`;
  }
  $("redis-moments").replaceChildren(
    ...[...redis.moments]
      .reverse()
      .slice(0, 2)
      .map((m) => cut("li", m.kind, `${clock(m.at)} ${m.text}`)),
  );
}
