import type { ScenarioClient } from "../client/client.js";
import { SHORT_TTL_HINT } from "../diagnosis/hints.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";

/** Below this a session lifetime is flagged, unless the exercise asks for one. */
const MIN_LIFETIME_MS = 60_000;

/** Lifetimes up to this are waited out, to show the value really disappears. */
const WAIT_OUT_MS = 5000;

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
    // Read from the key's PTTL and the cookie's lifetime, and waited out when short enough.
    confidence: "confirmed",
    observations,
  };
}
