import type { FeedEntry, LiveInstance, LiveState, Visitor } from "./live-model.js";

export interface LiveView {
  readonly instances: readonly LiveInstance[];
  readonly feed: readonly FeedEntry[];
  readonly visitors: readonly Visitor[];
  readonly chart: {
    readonly seconds: readonly number[];
    readonly ports: readonly number[];
    readonly rps: readonly (readonly number[])[];
    readonly lostPct: readonly (readonly (number | null)[])[];
  };
  readonly requests: number;
  readonly lost: number;
  readonly load?: LiveState["load"];
  readonly check?: LiveState["check"];
}

/** What the page shows: the newest visitors first, the last minute as chart series. */
export function liveView(state: LiveState): LiveView {
  const ports = state.instances.map((i) => i.port);
  const buckets = state.buckets;
  return {
    instances: state.instances,
    feed: [...state.feed].reverse(),
    visitors: [...new Map([...state.visitors.values()].map((v) => [v.id, v])).values()]
      .sort((a, b) => b.lastAt - a.lastAt)
      .slice(0, 12),
    chart: {
      seconds: buckets.map((b) => b.second),
      ports,
      rps: ports.map((p) => buckets.map((b) => b.perPort[p]?.requests ?? 0)),
      lostPct: ports.map((p) =>
        buckets.map((b) => {
          const s = b.perPort[p];
          return s && s.reads > 0 ? Math.round((1000 * s.lost) / s.reads) / 10 : null;
        }),
      ),
    },
    requests: state.requests,
    lost: state.lost,
    ...(state.load ? { load: state.load } : {}),
    ...(state.check ? { check: state.check } : {}),
  };
}
