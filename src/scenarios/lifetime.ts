import type { ScenarioClient } from "../client/client.js";
import type { Verdict } from "../model/results.js";
import type { FoundSession } from "../redis/inspect.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";

/** Below this a session lifetime is flagged, unless the exercise asks for one. */
const MIN_LIFETIME_MS = 60_000;
const SHORT_TTL_HINT =
  "Give the session a realistic lifetime: the cookie's maxAge and the store's ttl (connect-redis's `ttl`) of hours, not seconds.";

/** Lifetimes up to this are waited out, to show the value really disappears. */
const WAIT_OUT_MS = 5000;

/** Why a value shared by every instance was lost when they restarted, from Redis before and after. */
export function explainRestart(
  before: FoundSession | undefined,
  after: FoundSession | undefined,
  redisLabel: string,
  /** How long the restart took, from the first look at the key to the second. */
  elapsedMs: number,
): Partial<Verdict> {
  if (!before) {
    return {
      causeId: "memory-store",
      cause:
        "the sessions live in the instances' memory (express-session's default MemoryStore, or a Map): every restart loses them",
      hint: "Keep the sessions in Redis, which outlives any instance: connect-redis with the REDIS_URL the lab passes.",
      evidence: [`no key for this session in ${redisLabel} before the restart`],
    };
  }
  if (!after && before.pttlMs >= 0 && before.pttlMs <= elapsedMs) {
    return {
      causeId: "short-ttl",
      cause: `sessions expire after about ${Math.max(1, Math.round(before.pttlMs / 1000))} s, on every instance`,
      hint: SHORT_TTL_HINT,
      evidence: [
        `${before.key} had ${before.pttlMs} ms to live before the restart, which took ${elapsedMs} ms`,
      ],
    };
  }
  if (!after) {
    const expiry =
      before.pttlMs < 0 ? "with no expiry" : `expiring in ${Math.round(before.pttlMs / 1000)} s`;
    return {
      causeId: "store-cleared-on-start",
      cause:
        "something deletes the sessions when an instance starts (store.clear(), FLUSHDB or a DEL at boot)",
      hint: "Remove the code that empties the store at start-up: sessions must outlive the processes.",
      evidence: [
        `${before.key} existed right before the restart (${expiry}) and was gone right after`,
      ],
    };
  }
  return {
    causeId: "secret-mismatch",
    cause:
      "the session is still in Redis after the restart, but the restarted instances do not accept the cookie: is the secret made anew at each start?",
    hint: "Sign the cookie with the SESSION_SECRET the lab passes, the same across restarts, not a random one.",
    evidence: [`${after.key} is still in Redis after the restart`],
  };
}

/**
 * A session that lives less than a minute (or less than the exercise asks): its Redis TTL
 * and the cookie's Max-Age/Expires say so, and a short one is waited out to show the value
 * really goes. Undefined when the lifetime is fine.
 */
export async function shortLifetime(
  ctx: ScenarioContext,
  client: ScenarioClient,
  value: string,
  pttlMs: number,
): Promise<ScenarioOutcome | undefined> {
  const threshold = ctx.expectedTtlMs === undefined ? MIN_LIFETIME_MS : ctx.expectedTtlMs / 2;
  const cookie = client.jar.lifetimes().find((c) => c.ms !== undefined && c.ms < threshold);
  const lifetimes = [pttlMs > 0 ? pttlMs : undefined, cookie?.ms].filter(
    (ms): ms is number => ms !== undefined,
  );
  const life = Math.min(...lifetimes);
  if (!(life < threshold)) return undefined;
  const evidence = [
    ...(pttlMs > 0 && pttlMs < threshold ? [`the session key expires in ${pttlMs} ms (PTTL)`] : []),
    ...(cookie ? [`Set-Cookie: ${cookie.line}`] : []),
  ];
  const observations = [];
  if (life <= WAIT_OUT_MS) {
    const began = Date.now();
    await ctx.wait(Math.max(0, life) + 300);
    const later = await client.get("/", [value]);
    observations.push(later);
    if (later.shows !== value)
      evidence.push(
        `the value was gone ${((Date.now() - began) / 1000).toFixed(1)} s after it was set`,
      );
  }
  return {
    status: "fail",
    summary: `the session lives ${(life / 1000).toFixed(1)} s: visitors lose it almost at once`,
    causeId: "short-ttl",
    cause: `sessions expire after about ${Math.max(1, Math.round(life / 1000))} s, on every instance`,
    hint: SHORT_TTL_HINT,
    evidence,
    observations,
  };
}
