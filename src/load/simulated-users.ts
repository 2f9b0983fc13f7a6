import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { Agent } from "undici";
import { ScenarioClient } from "../client/client.js";
import type { LoadProgress, LoadStats } from "../model/load-report.js";

export interface LoadSettings {
  readonly url: string;
  /** Simulated users, each with its own session, all at once. */
  readonly users: number;
  /** Stop after this long, or after `requests` requests, whichever comes first. */
  readonly durationMs: number;
  readonly requests: number | undefined;
  readonly requestTimeoutMs: number;
  /**
   * Each user sets a new value after this many reads (none: one value for the whole run):
   * a failover shows only in writes, which an app pointed at the old primary loses.
   */
  readonly rewriteEvery?: number;
  readonly signal?: AbortSignal;
  /** Called about four times a second while it runs. */
  readonly onProgress?: (progress: LoadProgress) => void;
}

/**
 * Many users at once through one URL: each sets its own value, then reads it back again and
 * again (setting a new one every `rewriteEvery` reads, when said). A read that does not show
 * the user's own value is a lost session; one answered 5xx failed (an error), lost nothing.
 */
export async function runLoad(settings: LoadSettings): Promise<LoadStats> {
  const dispatcher = new Agent({ connections: settings.users, keepAliveTimeout: 10_000 });
  // Every request in flight (and each body being read) listens on the signal: a local one of
  // this run's own, with no cap on listeners, instead of warning about the caller's.
  const local = new AbortController();
  setMaxListeners(0, local.signal);
  const stopLocal = () => local.abort();
  settings.signal?.addEventListener("abort", stopLocal, { once: true });
  const began = performance.now();
  const deadline = began + settings.durationMs;
  let budget = settings.requests ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  const perPort = new Map<number | null, { requests: number; reads: number; lost: number }>();
  let requests = 0;
  let reads = 0;
  let lost = 0;
  let errors = 0;
  let firstError: string | undefined;
  const snapshot = (): LoadProgress => ({
    elapsedMs: Math.round(performance.now() - began),
    requests,
    reads,
    lost,
    errors,
  });
  const more = () => !settings.signal?.aborted && performance.now() < deadline && budget-- > 0;

  const user = async (id: number) => {
    const client = new ScenarioClient(
      `u${id}`,
      settings.url,
      dispatcher,
      settings.requestTimeoutMs,
      local.signal,
      "load",
    );
    const base = `load-${id}-${randomBytes(4).toString("hex")}`;
    let value = base;
    let written = 0;
    let hasValue = false;
    let readsOfValue = 0;
    while (more()) {
      if (hasValue && settings.rewriteEvery && readsOfValue >= settings.rewriteEvery) {
        hasValue = false;
        value = `${base}-${++written}`;
      }
      const path = hasValue ? "/" : `/session/set/${value}`;
      try {
        const seen = await client.get(path, [value]);
        requests++;
        latencies.push(seen.ms);
        const stats = perPort.get(seen.port) ?? { requests: 0, reads: 0, lost: 0 };
        perPort.set(seen.port, stats);
        stats.requests++;
        if (!hasValue) {
          hasValue = seen.status < 400;
          readsOfValue = 0;
          continue;
        }
        if (seen.status >= 500) {
          errors++;
          firstError ??= `a read answered ${seen.status}${seen.port ? ` on :${seen.port}` : ""}`;
          continue;
        }
        readsOfValue++;
        reads++;
        stats.reads++;
        if (seen.shows !== value) {
          lost++;
          stats.lost++;
        }
      } catch (error) {
        if (settings.signal?.aborted) break;
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };

  const ticker = setInterval(() => settings.onProgress?.(snapshot()), 250);
  try {
    await Promise.all(Array.from({ length: settings.users }, (_, i) => user(i + 1)));
  } finally {
    settings.signal?.removeEventListener("abort", stopLocal);
    clearInterval(ticker);
    await dispatcher.close();
  }
  const elapsed = Math.max(1, performance.now() - began);
  latencies.sort((a, b) => a - b);
  return {
    ...snapshot(),
    ...(firstError === undefined ? {} : { firstError }),
    requestsPerSecond: Math.round((requests / elapsed) * 1000),
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    perInstance: [...perPort]
      .map(([port, s]) => ({ port, ...s }))
      .sort((a, b) => (a.port ?? 0) - (b.port ?? 0)),
  };
}

/** The value below which `share` of the sorted samples fall. */
export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? 0;
}
