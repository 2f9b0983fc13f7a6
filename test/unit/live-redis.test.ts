import { describe, expect, it } from "vitest";
import type { EventOf } from "../../src/events.js";
import type { RedisTopology, SentinelTopology } from "../../src/model/topology.js";
import { shardsOf, switchOf } from "../../src/redis/topology-watch.js";
import { applyLabEvent } from "../../src/web/live-lab-events.js";
import {
  applyExchange,
  emptyLive,
  type LiveExchange,
  type SeenRequest,
} from "../../src/web/live-model.js";
import { timeline } from "../../src/web/live-overlap.js";
import { liveView } from "../../src/web/live-view.js";

const A = { index: 1, port: 5001 };

const sentinel = (primary: string | undefined, replica: string): SentinelTopology => ({
  kind: "sentinel",
  masterName: "session-lab",
  primary,
  replicas: [{ address: replica, up: true }],
  sentinels: [{ address: "127.0.0.1:7001", up: true }],
});

const said = (
  topology: RedisTopology,
  switched?: { from: string; to: string },
): EventOf<"redis:topology"> => ({
  type: "redis:topology",
  topology,
  ...(switched ? { switched } : {}),
});

function ex(at: number, status: number, extra: Partial<LiveExchange> = {}): LiveExchange {
  const e = {
    at,
    method: "GET",
    path: "/",
    instance: A,
    status,
    ms: 2,
    cookie: "sid=1",
    setCookies: [],
    body: undefined,
    source: "load" as const,
    ...extra,
  };
  return { start: e.at - e.ms, ...e };
}

describe("the lab's Redis on the live page", () => {
  it("shows the topology said, a switch as a moment, and counts failed requests from then on", () => {
    let state = emptyLive([A]);
    state = applyLabEvent(state, said(sentinel("127.0.0.1:6000", "127.0.0.1:6001")), 1000);
    state = applyExchange(state, ex(1500, 500));
    expect(liveView(state).redis).toEqual({
      topology: sentinel("127.0.0.1:6000", "127.0.0.1:6001"),
      moments: [],
    });
    // The sentinels disagree for a moment: no switch yet.
    state = applyLabEvent(state, said(sentinel(undefined, "127.0.0.1:6001")), 2000);
    expect(state.redis?.moments).toEqual([]);
    state = applyLabEvent(
      state,
      said(sentinel("127.0.0.1:6001", "127.0.0.1:6000"), {
        from: "127.0.0.1:6000",
        to: "127.0.0.1:6001",
      }),
      3000,
    );
    state = [ex(3100, 500), ex(3200, 200), ex(3300, 503, { source: "browser" })].reduce(
      applyExchange,
      state,
    );
    const redis = liveView(state).redis;
    expect(redis?.moments).toEqual([
      { at: 3000, kind: "switch", text: "⇄ the sentinels named :6001 the primary (was :6000)" },
    ]);
    expect(redis?.since).toEqual({ at: 3000, requests: 3, failed: 2, lost: 0 });
  });

  it("counts from the failover asked for, through the switch that follows it", () => {
    let state = applyLabEvent(emptyLive([A]), said(sentinel("a:1", "b:2")), 0);
    state = applyLabEvent(state, { type: "redis:failover-asked" }, 1000);
    state = applyExchange(state, ex(1100, 0));
    state = applyLabEvent(state, said(sentinel("b:2", "a:1"), { from: "a:1", to: "b:2" }), 2000);
    state = applyExchange(state, ex(2100, 500));
    expect(state.redis?.since).toEqual({ at: 1000, requests: 2, failed: 2, lost: 0 });
    expect(state.redis?.moments.map((m) => m.kind)).toEqual(["asked", "switch"]);
    state = applyLabEvent(state, { type: "redis:failover-asked", failed: "no replica" }, 3000);
    expect(state.redis?.moments.at(-1)).toEqual({
      at: 3000,
      kind: "failed",
      text: "⚠ failover not run: no replica",
    });
    expect(state.redis?.since?.at).toBe(1000);
  });

  it("says which primary took over a cluster's slots", () => {
    const shard = (primary: string, from: number, to: number) => ({
      primary,
      slots: [[from, to] as const],
      replicas: [],
    });
    let state = applyLabEvent(
      emptyLive([A]),
      said({ kind: "cluster", shards: [shard("h:1", 0, 9), shard("h:2", 10, 20)] }),
      0,
    );
    state = applyLabEvent(
      state,
      said(
        { kind: "cluster", shards: [shard("h:4", 0, 9), shard("h:2", 10, 20)] },
        { from: "h:1", to: "h:4" },
      ),
      500,
    );
    expect(state.redis?.moments.map((m) => m.text)).toEqual(["⇄ :4 took over the slots of :1"]);
  });

  it("leaves the page without a Redis panel for any other Redis", () => {
    const state = applyLabEvent(emptyLive([A]), { type: "redis:failover-asked" }, 0);
    expect(liveView(state).redis).toBeUndefined();
  });
});

describe("CLUSTER SLOTS as shards", () => {
  it("groups the ranges and replicas of each primary, by lowest slot", () => {
    const node = (port: number) => ["127.0.0.1", port, `id${port}`];
    expect(
      shardsOf([
        [10923, 16383, node(7002), node(7003)],
        [0, 5460, node(7000), node(7005)],
        [5461, 10922, node(7001), node(7004)],
        [16000, 16000, "garbage"],
        "garbage",
      ]),
    ).toEqual([
      { primary: "127.0.0.1:7000", slots: [[0, 5460]], replicas: ["127.0.0.1:7005"] },
      { primary: "127.0.0.1:7001", slots: [[5461, 10922]], replicas: ["127.0.0.1:7004"] },
      { primary: "127.0.0.1:7002", slots: [[10923, 16383]], replicas: ["127.0.0.1:7003"] },
    ]);
  });
});

describe("a visitor's timeline", () => {
  const r = (start: number, end: number, path = "/"): SeenRequest => ({
    port: 5001,
    shows: undefined,
    path,
    start,
    end,
    status: 200,
  });

  it.each([
    ["one after another", [r(0, 10), r(10, 20), r(30, 40)], [[[]], [[]], [[]]]],
    ["two at once", [r(0, 100, "/cart/add/a"), r(20, 40, "/cart/add/b")], [[[2], [1]]]],
    // 1 overlaps 2 and 3, which do not overlap each other: one group, side by side.
    ["a chain", [r(0, 100), r(10, 20), r(50, 60), r(200, 210)], [[[2, 3], [1], [1]], [[]]]],
    // Stored in the order they ended; numbered in the order they began.
    ["ended first, began later", [r(50, 60), r(0, 100)], [[[2], [1]]]],
  ])("%s", (_name, seen, overlaps) => {
    expect(timeline(seen).map((g) => g.map((t) => t.overlaps))).toEqual(overlaps);
    expect(
      timeline(seen)
        .flat()
        .map((t) => t.n),
    ).toEqual(seen.map((_, i) => i + 1));
  });

  it("is in the view of each visitor, from the proxy's start and duration", () => {
    const state = [
      ex(1100, 200, { ms: 100, path: "/cart/add/a", source: "browser" }),
      ex(1060, 200, { ms: 40, path: "/cart/add/b", source: "browser" }),
    ].reduce(applyExchange, emptyLive([A]));
    const [group] = liveView(state).visitors[0]?.timeline ?? [];
    expect(group?.map((t) => [t.n, t.path, t.start, t.end, t.overlaps])).toEqual([
      [1, "/cart/add/a", 1000, 1100, [2]],
      [2, "/cart/add/b", 1020, 1060, [1]],
    ]);
  });
});

describe("a switch of primary, as the watcher tells it", () => {
  const cluster = (a: string, b: string): RedisTopology => ({
    kind: "cluster",
    shards: [
      { primary: a, slots: [[0, 9]], replicas: [] },
      { primary: b, slots: [[10, 20]], replicas: [] },
    ],
  });
  it.each([
    ["the first look", [], ["a:1"], undefined, sentinel("a:1", "b:2"), undefined],
    [
      "the same primary",
      ["a:1"],
      ["a:1"],
      sentinel("a:1", "b:2"),
      sentinel("a:1", "b:2"),
      undefined,
    ],
    // While the sentinels disagree, nothing is said; the switch is told once they agree.
    [
      "sentinels that disagree",
      ["a:1"],
      [],
      sentinel("a:1", "b:2"),
      sentinel(undefined, "b:2"),
      undefined,
    ],
    [
      "a new primary",
      ["a:1"],
      ["b:2"],
      sentinel(undefined, "b:2"),
      sentinel("b:2", "a:1"),
      { from: "a:1", to: "b:2" },
    ],
    [
      "a shard's new primary",
      ["h:1", "h:2"],
      ["h:4", "h:2"],
      cluster("h:1", "h:2"),
      cluster("h:4", "h:2"),
      { from: "h:1", to: "h:4" },
    ],
  ] as const)("%s", (_name, before, now, last, topology, expected) => {
    expect(switchOf(before, now, last, topology)).toEqual(expected);
  });
});
