import type { Verdict } from "../model/results.js";
import { OUTLIVE_RESTART_HINT, SHORT_TTL_HINT } from "./hints.js";
import type { KeyTouch } from "./observations.js";

/** A session's key as the lab read it: where, and its PTTL (-1 without expiry). */
export interface KeyState {
  readonly key: string;
  readonly db: number;
  readonly pttlMs: number;
}

/** Why a value shared by every instance was lost when they restarted, from Redis before and after. */
export function explainRestart(
  before: KeyState | undefined,
  after: KeyState | undefined,
  redisLabel: string,
  /** How long the restart took, from the first look at the key to the second. */
  elapsedMs: number,
  /** What the lab saw in Redis during the restart, when it watched. */
  watched?: { readonly deletes: readonly KeyTouch[]; readonly wroteSession: boolean },
  /** The visitor's shortest-lived cookie before the restart, and how long it had. */
  cookie?: { readonly line: string; readonly ms?: number | undefined },
): Partial<Verdict> {
  // The key outlived the restart, the cookie did not: the cookie's lifetime is the short one.
  if (after && cookie?.ms !== undefined && cookie.ms <= elapsedMs)
    return {
      causeId: "short-ttl",
      cause: `the session cookie expires after about ${Math.max(1, Math.round(cookie.ms / 1000))} s: the visitor loses the session while it is still in Redis`,
      hint: SHORT_TTL_HINT,
      evidence: [
        `Set-Cookie: ${cookie.line}`,
        `${after.key} is still in Redis after the restart, which took ${elapsedMs} ms`,
      ],
      confidence: "confirmed",
    };
  const found = explainRestartFrom(before, after, redisLabel, elapsedMs);
  if (!watched) return { ...found, confidence: "likely" };
  const deleted = before && watched.deletes.find((t) => t.key === before.key || t.key === "*");
  if (found.causeId === "store-cleared-on-start" && deleted)
    return {
      ...found,
      evidence: [
        ...(found.evidence ?? []),
        `${deleted.port ? `:${deleted.port}` : "an instance"} sent ${deleted.command} ${deleted.key} to Redis during the restart`,
      ],
      confidence: "confirmed",
    };
  if (found.causeId === "memory-store" && !watched.wroteSession)
    return {
      ...found,
      evidence: [
        ...(found.evidence ?? []),
        "the instance that stored the value wrote nothing to Redis",
      ],
      confidence: "confirmed",
    };
  // A PTTL read before the restart, or the key seen still there after it, decided the rest.
  return {
    ...found,
    confidence: found.causeId === "store-cleared-on-start" ? "likely" : "confirmed",
  };
}

function explainRestartFrom(
  before: KeyState | undefined,
  after: KeyState | undefined,
  redisLabel: string,
  elapsedMs: number,
): Partial<Verdict> {
  if (!before) {
    return {
      causeId: "memory-store",
      cause:
        "the sessions live in the instances' memory (express-session's default MemoryStore, or a Map): every restart loses them",
      hint: OUTLIVE_RESTART_HINT,
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
