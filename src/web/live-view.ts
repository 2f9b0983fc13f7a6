import type { FeedEntry, LiveInstance, LiveState, Visitor } from "./live-model.js";
import { type TimelineRequest, timeline } from "./live-overlap.js";

/** A visitor as the page shows one: its requests as a timeline, overlapping ones grouped. */
export interface ViewVisitor extends Visitor {
  readonly timeline: readonly (readonly TimelineRequest[])[];
}

export interface LiveView {
  readonly instances: readonly LiveInstance[];
  /** The browsers' requests, newest first. */
  readonly feed: readonly FeedEntry[];
  /** The check's and load's requests, newest first. */
  readonly labFeed: readonly FeedEntry[];
  /** Browsers' visitors, newest first. */
  readonly visitors: readonly ViewVisitor[];
  /** A few of the check's and load's visitors, newest first, to follow one of those too. */
  readonly labVisitors: readonly ViewVisitor[];
  readonly chart: {
    /** Each second's start, in seconds since 1970 (the page shows them as "s ago"). */
    readonly seconds: readonly number[];
    readonly ports: readonly number[];
    readonly rps: readonly (readonly number[])[];
    readonly lostPct: readonly (readonly (number | null)[])[];
  };
  /** The browsers' requests and lost reads: the attendee's own. */
  readonly requests: number;
  readonly lost: number;
  readonly labTraffic: LiveState["labTraffic"];
  readonly load?: LiveState["load"];
  readonly check?: LiveState["check"];
  readonly redis?: LiveState["redis"];
}

const VISITORS = 12;
const LAB_VISITORS = 6;

/** What the page shows: the newest visitors first, the last minute as chart series. */
export function liveView(state: LiveState): LiveView {
  const ports = state.instances.map((i) => i.port);
  const buckets = state.buckets;
  return {
    instances: state.instances,
    feed: [...state.feed].reverse(),
    labFeed: [...state.labFeed].reverse(),
    visitors: newest(state.visitors, VISITORS),
    labVisitors: newest(state.labVisitors, LAB_VISITORS),
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
    labTraffic: state.labTraffic,
    ...(state.load ? { load: state.load } : {}),
    ...(state.check ? { check: state.check } : {}),
    ...(state.redis ? { redis: state.redis } : {}),
  };
}

/** Each visitor once (a renewed cookie maps to the same one), the newest first. */
function newest(visitors: ReadonlyMap<string, Visitor>, count: number): ViewVisitor[] {
  return [...new Map([...visitors.values()].map((v) => [v.id, v])).values()]
    .sort((a, b) => b.lastAt - a.lastAt)
    .slice(0, count)
    .map((v) => ({ ...v, timeline: timeline(v.seen) }));
}
