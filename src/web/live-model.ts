import type { InstanceRef } from "../events.js";
import type { TrafficSource } from "../model/traffic.js";
import type { ProxyExchange } from "../proxy/proxy.js";
import { countSinceFailover, type LiveRedis } from "./live-redis.js";
import { cookiePairs, pageShows, safeDecode, visitorId } from "./live-text.js";

/** One request through the lab's proxy, as the live page needs it: the page's text, not bytes. */
export interface LiveExchange
  extends Omit<ProxyExchange, "body" | "source" | "startedAt" | "endedAt"> {
  /** When the answer had been sent, and when the request came (epoch ms, one clock). */
  readonly at: number;
  readonly start: number;
  /** Whose request it was (a browser when not said). */
  readonly source?: TrafficSource;
  /** The page's text, for the exercise's own pages. */
  readonly body: string | undefined;
}

export type InstanceStatus = "starting" | "up" | "restarting" | "down";

/** Requests served, reads of a value, and reads that lost it. */
export interface Counts {
  readonly served: number;
  readonly reads: number;
  readonly lost: number;
}

/** An instance, with the browsers' traffic (served, reads, lost) apart from the lab's own. */
export interface LiveInstance extends Counts {
  readonly index: number;
  readonly port: number;
  readonly status: InstanceStatus;
  /** The check's and load's requests to it. */
  readonly lab: Counts;
}

/** The lab's own traffic (its check, a load), never counted as an attendee's. */
export type LabSource = Exclude<TrafficSource, "browser">;

export interface FeedEntry {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly port: number | null;
  readonly status: number;
  readonly ms: number;
  /** A short name for the visitor's session cookie. */
  readonly visitor: string | undefined;
  /** For a page of the exercise: did it show the visitor's value (false: lost)? */
  readonly shows: boolean | undefined;
  /** The value a /session/set/ request stored. */
  readonly set?: string;
  readonly source: TrafficSource;
}

export interface Visitor {
  readonly id: string;
  readonly source: TrafficSource;
  readonly value: string | undefined;
  readonly lastAt: number;
  readonly seen: readonly SeenRequest[];
}

/** One request of a visitor: where it went, what it showed, and when it ran. */
export interface SeenRequest {
  readonly port: number | null;
  readonly shows: boolean | undefined;
  readonly path: string;
  /** When the proxy got it and when it answered (ms since 1970). */
  readonly start: number;
  readonly end: number;
  readonly status: number;
}

/** A second of traffic: per instance, requests, reads of a value, and lost reads. */
export interface Bucket {
  readonly second: number;
  readonly perPort: Readonly<Record<number, { requests: number; reads: number; lost: number }>>;
}

export interface LiveState {
  readonly instances: readonly LiveInstance[];
  /** The browsers' requests, newest last. */
  readonly feed: readonly FeedEntry[];
  /** The check's and load's requests, newest last. */
  readonly labFeed: readonly FeedEntry[];
  /** Browsers' visitors (by cookie), kept apart so that a load never pushes one out. */
  readonly visitors: ReadonlyMap<string, Visitor>;
  readonly labVisitors: ReadonlyMap<string, Visitor>;
  readonly buckets: readonly Bucket[];
  /** The browsers' requests and lost reads. */
  readonly requests: number;
  readonly lost: number;
  /** The lab's own requests and lost reads, by source. */
  readonly labTraffic: Readonly<Record<LabSource, { requests: number; lost: number }>>;
  readonly load?: { readonly running: boolean; readonly summary?: string };
  /** The lab's own Sentinel set-up or Cluster (exercises 05 and 06). */
  readonly redis?: LiveRedis;
  readonly check?: {
    readonly running: boolean;
    readonly verdict?: string;
    readonly cause?: string;
    readonly scenarios: readonly {
      readonly id: string;
      readonly status: string;
      readonly summary: string;
    }[];
  };
}

const FEED = 40;
const VISITORS = 200;
const SEEN = 30;
const BUCKETS = 60;
const NONE: Counts = { served: 0, reads: 0, lost: 0 };

export function emptyLive(instances: readonly InstanceRef[]): LiveState {
  return {
    instances: instances.map((i) => ({ ...i, status: "starting", ...NONE, lab: NONE })),
    feed: [],
    labFeed: [],
    visitors: new Map(),
    labVisitors: new Map(),
    buckets: [],
    requests: 0,
    lost: 0,
    labTraffic: { check: { requests: 0, lost: 0 }, load: { requests: 0, lost: 0 } },
  };
}

/**
 * The state after one more request: counters, the feed, the visitor whose session it used,
 * and whether the exercise's page showed that visitor's value (a lost read when it did not).
 */
export function applyExchange(state: LiveState, ex: LiveExchange): LiveState {
  const source = ex.source ?? "browser";
  const browser = source === "browser";
  const visitors = new Map(browser ? state.visitors : state.labVisitors);
  const sent = ex.cookie?.trim() || undefined;
  const issued = cookiePairs(ex.setCookies);
  const key = sent ?? issued;
  const before = key ? visitors.get(key) : undefined;
  let value = before?.value;
  let shows: boolean | undefined;
  const set = /^\/session\/set\/([^/?#]+)/.exec(ex.path);
  if (set?.[1]) value = safeDecode(set[1]);
  else if (ex.path.startsWith("/session/unset")) value = undefined;
  else if ((ex.path === "/" || ex.path.startsWith("/?")) && value !== undefined && ex.status < 400)
    shows = ex.body === undefined ? undefined : pageShows(ex.body, value);
  const port = ex.instance?.port ?? null;
  if (key) {
    const visitor: Visitor = {
      id: visitorId(key),
      source,
      value,
      lastAt: ex.at,
      seen: [
        ...(before?.seen ?? []),
        { port, shows, path: ex.path, start: ex.start, end: ex.at, status: ex.status },
      ].slice(-SEEN),
    };
    visitors.delete(key);
    visitors.set(key, visitor);
    // A new cookie for a visitor (a session made anew) is the same visitor from now on.
    if (sent && issued && issued !== sent) visitors.set(issued, visitor);
    while (visitors.size > VISITORS) visitors.delete(visitors.keys().next().value as string);
  }
  const lost = shows === false;
  const count = (c: Counts): Counts => ({
    served: c.served + 1,
    reads: c.reads + (shows === undefined ? 0 : 1),
    lost: c.lost + (lost ? 1 : 0),
  });
  const instances = state.instances.map((i) =>
    i.port !== port ? i : browser ? { ...i, ...count(i) } : { ...i, lab: count(i.lab) },
  );
  const entry: FeedEntry = {
    at: ex.at,
    method: ex.method,
    path: ex.path,
    port,
    status: ex.status,
    ms: ex.ms,
    visitor: key ? visitorId(key) : undefined,
    shows,
    ...(set?.[1] && value !== undefined ? { set: value } : {}),
    source,
  };
  const buckets = addToBucket(state.buckets, ex.at, port, shows);
  const redis = countSinceFailover(state.redis, ex.status, lost);
  if (browser)
    return {
      ...state,
      ...(redis ? { redis } : {}),
      instances,
      visitors,
      feed: [...state.feed, entry].slice(-FEED),
      buckets,
      requests: state.requests + 1,
      lost: state.lost + (lost ? 1 : 0),
    };
  const counted = state.labTraffic[source];
  return {
    ...state,
    ...(redis ? { redis } : {}),
    instances,
    labVisitors: visitors,
    labFeed: [...state.labFeed, entry].slice(-FEED),
    buckets,
    labTraffic: {
      ...state.labTraffic,
      [source]: { requests: counted.requests + 1, lost: counted.lost + (lost ? 1 : 0) },
    },
  };
}

function addToBucket(
  buckets: readonly Bucket[],
  at: number,
  port: number | null,
  shows: boolean | undefined,
) {
  const second = Math.floor(at / 1000);
  const last = buckets.at(-1);
  const bucket: Bucket = last?.second === second ? last : { second, perPort: {} };
  if (port === null) return buckets;
  const prev = bucket.perPort[port] ?? { requests: 0, reads: 0, lost: 0 };
  const next: Bucket = {
    second,
    perPort: {
      ...bucket.perPort,
      [port]: {
        requests: prev.requests + 1,
        reads: prev.reads + (shows === undefined ? 0 : 1),
        lost: prev.lost + (shows === false ? 1 : 0),
      },
    },
  };
  return [...(last?.second === second ? buckets.slice(0, -1) : buckets), next].slice(-BUCKETS);
}
