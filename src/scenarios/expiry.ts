import type { Observation, Verdict } from "../model/results.js";
import type { FoundSession } from "../redis/inspect.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, portsOf, readAll } from "./reads.js";

/** Grades sliding expiry: a visitor active more often than the lifetime keeps the value. */
export function gradeSliding(facts: {
  value: string;
  ttlMs: number;
  reads: readonly Observation[];
}): Verdict {
  const lost = facts.reads.filter((r) => r.shows !== facts.value);
  if (lost.length > 0) {
    const first = facts.reads.indexOf(lost[0] as Observation);
    return {
      status: "fail",
      summary: `a visitor active every second lost the value after ${first} reads, on ${ports(portsOf(lost))}`,
      causeId: "not-sliding",
      cause:
        "sessions expire a fixed time after they start, however active the visitor is: the expiry does not slide",
      hint: "Extend the session on every request: express-session's `rolling: true` (it re-sends the cookie and touches the Redis key).",
    };
  }
  return {
    status: "pass",
    summary: `active every second for ${((3 * facts.ttlMs) / 1000).toFixed(0)} s (3 × the lifetime): the value stayed, on every instance`,
  };
}

/** Grades idle expiry: after lifetime + 1 s the value is gone everywhere, and so is the key. */
export function gradeIdle(facts: {
  value: string;
  ttlMs: number;
  reads: readonly Observation[];
  /** The session key right after it was written, and after the wait (undefined: gone). */
  keyBefore: FoundSession | undefined;
  keyAfter: FoundSession | undefined;
}): Verdict {
  const seconds = (facts.ttlMs / 1000).toFixed(0);
  const still = facts.reads.filter((r) => r.shows === facts.value);
  if (still.length > 0) {
    return {
      status: "fail",
      summary: `idle for ${seconds} s + 1 s, the value is still there on ${ports(portsOf(still))}`,
      causeId: "never-expires",
      cause: `sessions do not expire after ${seconds} s without activity (SESSION_TTL_SECONDS)`,
      hint: "Give the session the lifetime in SESSION_TTL_SECONDS: the cookie's maxAge (in ms) and the store's ttl (in s).",
      evidence: facts.keyBefore
        ? [
            `the session key's TTL was ${facts.keyBefore.pttlMs < 0 ? "none" : `${facts.keyBefore.pttlMs} ms`} (PTTL)`,
          ]
        : [],
    };
  }
  const before = facts.keyBefore;
  if (before && (before.pttlMs < 0 || before.pttlMs > facts.ttlMs + 500 || facts.keyAfter)) {
    return {
      status: "fail",
      summary: `the page forgot the value, but the session stays in Redis (${before.key})`,
      causeId: "cookie-only-expiry",
      cause:
        "the cookie expires but the Redis key does not: the session can be replayed, and Redis fills up",
      hint: "Give the store the same lifetime: connect-redis's `ttl` option (or leave it out: it then follows the cookie's maxAge).",
      evidence: [
        `${before.key} had ${before.pttlMs < 0 ? "no expiry" : `${before.pttlMs} ms to live (PTTL)`}, for a lifetime of ${facts.ttlMs} ms`,
        ...(facts.keyAfter
          ? [`${facts.keyAfter.key} is still in Redis after ${seconds} s + 1 s idle`]
          : []),
      ],
    };
  }
  return {
    status: "pass",
    summary: `idle for ${seconds} s + 1 s: gone on every instance${before ? `, and its key expired (PTTL was ${before.pttlMs} ms)` : ""}`,
  };
}

/** The lifetime the lab gave the instances (SESSION_TTL_SECONDS), 2 s when none. */
function lifetime(ctx: ScenarioContext): number {
  return ctx.expectedTtlMs ?? 2000;
}

export async function slidingExpiry(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const ttlMs = lifetime(ctx);
  const a = ctx.client("A");
  const value = ctx.token();
  const set = await a.get(`/session/set/${value}`, [value]);
  const reads: Observation[] = [];
  // Expires has whole seconds: a cookie given 2 s may expire as soon as 1 s after it was set.
  // Reading at half of what is sure to be left keeps a sliding session however the second
  // falls (every 0.5 s for 2 s, every second for 3 s and more), however slow the machine.
  const step = Math.min(1000, Math.max(100, (ttlMs - 1000) / 2));
  for (let waited = 0; waited < 3 * ttlMs; waited += step) {
    await ctx.wait(step);
    reads.push(...(await readAll(a, 1, [value])));
  }
  return { ...gradeSliding({ value, ttlMs, reads }), observations: [set, ...reads] };
}

export async function idleExpiry(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const ttlMs = lifetime(ctx);
  const b = ctx.client("B");
  const value = ctx.token();
  const set = await b.get(`/session/set/${value}`, [value]);
  const keyBefore = await ctx.findSession?.(b).catch(() => undefined);
  await ctx.wait(ttlMs + 1000);
  const keyAfter = keyBefore ? await ctx.findSession?.(b).catch(() => undefined) : undefined;
  const reads = await readAll(b, ctx.reads, [value]);
  return {
    ...gradeIdle({ value, ttlMs, reads, keyBefore, keyAfter }),
    observations: [set, ...reads],
  };
}
