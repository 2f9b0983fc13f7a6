import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { ScenarioClient } from "../client/client.js";
import { sessionIdCandidates } from "../client/cookies.js";
import { sessionWrite } from "../diagnosis/observed.js";
import type { Observer, WatchedInstance } from "../evidence/observer.js";
import type { SessionSample } from "../evidence/session-facts.js";
import type { Observation, ScenarioId, ScenarioResult } from "../model/results.js";
import type { FoundSession } from "../redis/inspect.js";
import { findSessionAnywhere } from "../redis/inspect.js";
import { keyState } from "../redis/key-state.js";
import type { RedisControl } from "../redis/server.js";
import type { ClusterView, FailoverControl } from "../redis/topology.js";

/** What the scenarios run against. */
export interface CheckTarget {
  readonly proxyUrl: string;
  /** Instance ports when the lab started them; unknown for a deployment given with --url. */
  readonly instances: readonly number[] | undefined;
  /** How many instances to expect when they are unknown. */
  readonly expectedInstances: number;
  readonly restart?: () => Promise<void>;
  /** The Redis handed to the instances (or named by the user), to look for sessions in. */
  readonly redisUrl: string | undefined;
  readonly redisLabel: string;
  /** The last log lines of the instance on `port`, when the lab runs it. */
  readonly logOf?: (port: number) => readonly string[];
  /** The SESSION_PREFIX the lab passed to the instances, when it started them. */
  readonly sessionPrefix?: string;
  /** The folder the instances run in, to see which files they write. */
  readonly appDir?: string;
  /** The session lifetime the exercise asks for; shorter ones below a minute are flagged. */
  readonly expectedTtlMs?: number;
  /** The lab's own Redis, which a scenario may pause, stop and start (exercise 04). */
  readonly redisControl?: RedisControl;
  /** The lab's own Sentinel set-up, which a scenario may fail over (exercise 05). */
  readonly failover?: FailoverControl;
  /** The lab's own Redis Cluster, to see where slots and keys are (exercise 06). */
  readonly cluster?: ClusterView;
  /** Ports of the instances that are not running now. */
  readonly down?: () => number[];
  readonly requestTimeoutMs: number;
  /** Aborting stops the scenarios after the request under way. */
  readonly signal?: AbortSignal;
  /**
   * The instances' processes, for the lab to watch what each sends Redis and to reach them
   * directly in experiments; absent for a deployment given with --url.
   */
  readonly watched?: () => readonly WatchedInstance[];
  /** "http://127.0.0.1:5002" for the instance on 5002, when the lab started it. */
  readonly instanceUrl?: (port: number) => string;
}

/** What a scenario may use: clients through the proxy, and (when the lab owns them) the instances and Redis. */
export interface ScenarioContext {
  /** Ports of the instances, when known (the lab started them, or earlier reads revealed them). */
  readonly instances: readonly number[];
  /** How many reads make "every instance, twice over". */
  readonly reads: number;
  /** A new simulated browser; `timeoutMs` for one that must not wait as long as usual. */
  client(name: string, timeoutMs?: number): ScenarioClient;
  /** A fresh random value, unlikely to appear on any page by chance. */
  token(): string;
  /**
   * Sets `value` through the proxy (GET /session/set/<value>) as `client`, noting on the client
   * what Redis was seen doing meanwhile (`client.stored`) when the lab watches it.
   */
  set(client: ScenarioClient, value: string, values?: readonly string[]): Promise<Observation>;
  /** The lab's watch on Redis; absent when it cannot watch (see `refused`). */
  readonly observer?: Observer;
  /** Restarts every instance; absent when the lab did not start them. */
  readonly restart?: () => Promise<void>;
  /**
   * Looks the client's session up in the database of the Redis handed to the instances;
   * absent when there is none.
   */
  readonly findSession?: (client: ScenarioClient) => Promise<FoundSession | undefined>;
  readonly redisUrl: string | undefined;
  readonly redisLabel: string;
  /** The session lifetime the exercise asks for (none: a minute at least is expected). */
  readonly expectedTtlMs: number | undefined;
  /** Whether an earlier scenario passed (undefined when it did not run). */
  passed(id: ScenarioId): boolean | undefined;
  /** Keeps the visitor a failure is about, for the runner to explain it with evidence. */
  keep(sample: SessionSample): void;
  /** Waits (a scenario about time), and stops waiting when the check is interrupted. */
  wait(ms: number): Promise<void>;
  /** Makes the lab's own Redis unavailable and back (exercise 04); absent when it is not the lab's. */
  readonly redisControl?: RedisControl;
  /** Fails the lab's own Sentinel set-up over (exercise 05); absent when it is not the lab's. */
  readonly failover?: FailoverControl;
  /** The lab's own Redis Cluster (exercise 06); absent when it is not the lab's. */
  readonly cluster?: ClusterView;
  /** The SESSION_PREFIX the lab passed to the instances, when it started them. */
  readonly sessionPrefix?: string;
  /** The last log lines of the instance on `port`, when the lab runs it. */
  readonly logOf?: (port: number) => readonly string[];
  /** Ports of the instances that are not running now (the lab's own cluster only). */
  readonly down?: () => number[];
}

/**
 * What the scenarios may use against a target: clients through the proxy, the restart, the
 * lab's Redis. `takeSample` hands the runner the visitor the last scenario kept, to explain
 * a failure with.
 */
export function scenarioContext(
  target: CheckTarget,
  dispatcher: Dispatcher,
  instances: number[],
  results: readonly ScenarioResult[],
  observer?: Observer,
): { ctx: ScenarioContext; takeSample: () => SessionSample | undefined } {
  let sample: SessionSample | undefined;
  const redisUrl = target.redisUrl;
  const ctx: ScenarioContext = {
    get instances() {
      return instances;
    },
    reads: 2 * Math.max(instances.length, target.expectedInstances),
    client: (name, timeoutMs) =>
      new ScenarioClient(
        name,
        target.proxyUrl,
        dispatcher,
        timeoutMs ?? target.requestTimeoutMs,
        target.signal,
      ),
    token: () => `sl-${randomBytes(5).toString("hex")}`,
    set: async (client, value, values = [value]) => {
      const path = `/session/set/${value}`;
      if (!observer) return client.get(path, values);
      const { result, touches } = await observer.around(
        (o) => o.port,
        () => client.get(path, values),
      );
      client.stored = {
        value,
        port: result.port,
        touches,
        cookie: client.jar.header(target.proxyUrl),
      };
      return result;
    },
    observer,
    restart: target.restart,
    findSession: redisUrl
      ? async (client) => {
          // Watched: the key the app was seen writing the value to, wherever its cookie points.
          if (observer && client.stored) {
            const write = sessionWrite(client.stored, client.stored.value);
            return write && write.db === observer.labDb
              ? keyState(redisUrl, write.key, write.db)
              : undefined;
          }
          return findSessionAnywhere(redisUrl, client.jar.values().flatMap(sessionIdCandidates), 1);
        }
      : undefined,
    redisUrl,
    redisLabel: target.redisLabel,
    expectedTtlMs: target.expectedTtlMs,
    passed: (id) => {
      const earlier = results.find((r) => r.id === id);
      return earlier ? earlier.status === "pass" : undefined;
    },
    keep: (kept) => {
      sample = kept;
    },
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          target.signal?.removeEventListener("abort", done);
          resolve();
        }
        target.signal?.addEventListener("abort", done, { once: true });
      }),
    redisControl: target.redisControl,
    failover: target.failover,
    cluster: target.cluster,
    sessionPrefix: target.sessionPrefix,
    logOf: target.logOf,
    down: target.down,
  };
  return {
    ctx,
    takeSample: () => {
      const kept = sample;
      sample = undefined;
      return kept;
    },
  };
}
export type { ScenarioOutcome } from "../model/results.js";
