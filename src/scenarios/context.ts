import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { findSessionAnywhere } from "../redis/inspect.js";
import { ScenarioClient } from "./client.js";
import { sessionIdCandidates } from "./cookies.js";
import type { SessionSample } from "./evidence.js";
import type { CheckTarget } from "./runner.js";
import type { ScenarioContext } from "./scenarios.js";
import type { ScenarioResult } from "./types.js";

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
    restart: target.restart,
    findSession: redisUrl
      ? (client) =>
          findSessionAnywhere(redisUrl, client.jar.values().flatMap(sessionIdCandidates), 1)
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
