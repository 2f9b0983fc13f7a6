import type { EventOf } from "../events.js";
import type { RedisTopology } from "../model/topology.js";

/** A moment the page says of the lab's Redis: a new primary, a failover asked for. */
export interface RedisMoment {
  readonly at: number;
  readonly text: string;
  readonly kind: "switch" | "asked" | "failed";
}

/** The requests since a failover began (asked for, or the primary changed): all traffic. */
export interface SinceFailover {
  readonly at: number;
  readonly requests: number;
  /** Answered 5xx, or not at all. */
  readonly failed: number;
  /** Reads that did not show the visitor's value. */
  readonly lost: number;
}

/** The lab's own Sentinel set-up or Cluster, on the live page (exercises 05 and 06). */
export interface LiveRedis {
  readonly topology: RedisTopology;
  /** Newest last. */
  readonly moments: readonly RedisMoment[];
  readonly since?: SinceFailover;
}

const MOMENTS = 4;
/** A switch this soon after a failover was asked for is that failover: its count goes on. */
const SAME_FAILOVER_MS = 30_000;

/** The port of "host:port", as the page names nodes (all on this machine). */
export function portOf(address: string): string {
  return `:${address.slice(address.lastIndexOf(":") + 1)}`;
}

/** The page's Redis after a topology said, or a failover asked for, at `at`. */
export function applyRedisEvent(
  redis: LiveRedis | undefined,
  event: EventOf<"redis:topology"> | EventOf<"redis:failover-asked">,
  at: number,
): LiveRedis | undefined {
  if (event.type === "redis:failover-asked") {
    if (!redis) return redis;
    if (event.failed)
      return note(redis, { at, kind: "failed", text: `⚠ failover not run: ${event.failed}` });
    return {
      ...note(redis, { at, kind: "asked", text: "⇄ failover asked for (SENTINEL FAILOVER)" }),
      since: fresh(at),
    };
  }
  const next: LiveRedis = { moments: [], ...redis, topology: event.topology };
  if (!event.switched) return next;
  const { from, to } = event.switched;
  const text =
    event.topology.kind === "sentinel"
      ? `⇄ the sentinels named ${portOf(to)} the primary (was ${portOf(from)})`
      : `⇄ ${portOf(to)} took over the slots of ${portOf(from)}`;
  const since = next.since && at - next.since.at < SAME_FAILOVER_MS ? next.since : fresh(at);
  return { ...note(next, { at, kind: "switch", text }), since };
}

/** Counts one request into the figures since the failover, if one began. */
export function countSinceFailover(
  redis: LiveRedis | undefined,
  status: number,
  lost: boolean,
): LiveRedis | undefined {
  if (!redis?.since) return redis;
  const s = redis.since;
  return {
    ...redis,
    since: {
      ...s,
      requests: s.requests + 1,
      failed: s.failed + (status >= 500 || status === 0 ? 1 : 0),
      lost: s.lost + (lost ? 1 : 0),
    },
  };
}

function note(redis: LiveRedis, moment: RedisMoment): LiveRedis {
  return { ...redis, moments: [...redis.moments, moment].slice(-MOMENTS) };
}

function fresh(at: number): SinceFailover {
  return { at, requests: 0, failed: 0, lost: 0 };
}
