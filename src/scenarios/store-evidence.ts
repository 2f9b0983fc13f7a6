import { CannotRunError } from "../client/client.js";
import { STORE_IN_REDIS_HINT } from "../diagnosis/hints.js";
import { RedisUnavailableError } from "../errors.js";
import type { Verdict } from "../model/results.js";
import type { FoundSession } from "../redis/inspect.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { shortLifetime } from "./lifetime.js";

/** The session a visitor just got is a key in the Redis handed to the instances. */
export async function storeEvidence(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  if (!ctx.findSession) {
    throw new CannotRunError(
      "there is no Redis to look in: pass --redis-url (or set REDIS_URL)",
      "no-redis",
    );
  }
  const a = ctx.client("A");
  // A session the app has just written, so the lab knows which cookie to look for.
  const value = ctx.token();
  const set = await ctx.set(a, value);
  ctx.keep({ client: a, value, observations: [set] });
  let found: FoundSession | undefined;
  try {
    // Watched, the key is the one the app wrote, whatever its cookie looks like.
    found = a.jar.values().length > 0 || a.stored ? await ctx.findSession(a) : undefined;
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CannotRunError(error.message);
    throw error;
  }
  const verdict = gradeEvidence({
    hasCookie: a.jar.values().length > 0,
    foundKey:
      found &&
      (a.stored
        ? `${found.key} (written by ${set.port ? `:${set.port}` : "the instance"} in database ${found.db})`
        : found.key),
    redis: ctx.redisLabel,
    sharedPassed: ctx.passed("shared"),
  });
  if (verdict.status === "pass") {
    const short = await shortLifetime(ctx, a, value, found?.pttlMs ?? -1);
    if (short) return { ...short, observations: [set, ...short.observations] };
  }
  return { ...verdict, observations: [set] };
}

export function gradeEvidence(facts: {
  hasCookie: boolean;
  foundKey: string | undefined;
  redis: string;
  /** Whether the shared scenario passed: sessions survive across instances somehow. */
  sharedPassed: boolean | undefined;
}): Verdict {
  if (facts.foundKey) {
    return { status: "pass", summary: `the session is in Redis as ${facts.foundKey}` };
  }
  const summary = facts.hasCookie
    ? `no key for this session in the Redis at ${facts.redis}`
    : "the client got no session cookie, so the session cannot be in Redis";
  if (facts.sharedPassed) {
    return {
      status: "fail",
      summary,
      causeId: "not-in-redis",
      cause:
        "sessions survive without Redis (one shared folder, or cookies), which breaks as soon as the instances run on separate machines",
      hint: STORE_IN_REDIS_HINT,
    };
  }
  return {
    status: "fail",
    summary,
    causeId: "not-in-redis",
    cause: "the sessions are not stored in Redis yet",
    hint: STORE_IN_REDIS_HINT,
  };
}
