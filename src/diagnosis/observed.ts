import type { CauseId, Confidence } from "../model/results.js";
import type { Hint } from "../model/track.js";
import {
  ATTRIBUTE_HINTS,
  CLIENT_FROM_ENV_HINT,
  NO_COOKIE_HINT,
  ONE_COOKIE_NAME_HINT,
  ONE_PREFIX_HINT,
  ONE_SECRET_HINT,
  SAME_DATABASE_HINT,
  SHARED_STORE_HINT,
  SHORT_TTL_HINT,
  STORE_IN_REDIS_HINT,
  URL_AS_IT_IS_HINT,
} from "./hints.js";
import {
  carries,
  isRead,
  isWrite,
  type KeyTouch,
  type SplitObservations,
  type StoreObservations,
  sessionIdOf,
} from "./observations.js";

/** A cause decided from what the instances were seen doing. */
export interface ObservedDiagnosis {
  readonly causeId: CauseId;
  readonly cause: string;
  /** In the words of each track where it names a library. */
  readonly hint: Hint;
  /** The decisive observations, in words an attendee can check. */
  readonly evidence: readonly string[];
  readonly confidence: Confidence;
}

/** One row of a rule table: the cause it names, and when (undefined: it does not apply). */
export interface Rule<O> {
  readonly causeId: CauseId;
  readonly when: (o: O) => Omit<ObservedDiagnosis, "causeId"> | undefined;
}

const on = (port: number | null | undefined) =>
  port === null || port === undefined ? "another instance" : `:${port}`;
const inDb = (t: KeyTouch) => `${t.key} in database ${t.db}`;

/** The key the setter wrote the session to: the one whose data holds the value, else its first write. */
export function sessionWrite(
  setter: SplitObservations["setter"],
  value?: string,
): KeyTouch | undefined {
  const writes = setter.touches.filter(
    (t) => isWrite(t) && (t.port === undefined || setter.port === null || t.port === setter.port),
  );
  return (value ? writes.find((t) => carries(t, value)) : undefined) ?? writes[0];
}

/** Whether an instance stores sessions in the lab's Redis at all: it wrote there in the check. */
function usesRedis(o: SplitObservations, port: number): boolean {
  const fresh = o.fresh.find((f) => f.port === port);
  if (fresh && [...fresh.inAnswer, ...fresh.after].some(isWrite)) return true;
  return (o.writes.find((c) => c.port === port)?.count ?? 0) > 0;
}

/**
 * Why a value set through one instance is missing on another: the rules, most specific first.
 * Each names the observation that decided it.
 */
export const SPLIT_RULES: readonly Rule<SplitObservations & { value: string }>[] = [
  {
    causeId: "cookie-not-returned",
    when: (o) =>
      o.cookieTrouble && {
        cause: `a browser never sends the session cookie back: ${o.cookieTrouble.reason}`,
        hint:
          ATTRIBUTE_HINTS.find(([re]) => re.test(o.cookieTrouble?.reason ?? ""))?.[1] ??
          "Fix the cookie's attributes.",
        evidence: [`Set-Cookie: ${o.cookieTrouble.line}`],
        confidence: "confirmed",
      },
  },
  {
    causeId: "no-cookie",
    when: (o) => {
      if (!o.noCookie) return undefined;
      const wrote = sessionWrite(o.setter, o.value);
      return {
        cause:
          "the app sends no session cookie at all, so every request is a new visitor: is the cookie marked `secure` while the site is served over plain http?",
        hint: NO_COOKIE_HINT,
        evidence: [
          `the answer to /session/set/${o.value} on ${on(o.setter.port)} carried no Set-Cookie header`,
          wrote
            ? `yet ${on(o.setter.port)} wrote ${inDb(wrote)} while answering`
            : "and no session cookie came with any answer",
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "cookie-name-mismatch",
    when: (o) => {
      const named = o.cookieNames.filter((c) => c.names.length > 0);
      if (new Set(named.map((c) => [...c.names].sort().join(","))).size < 2) return undefined;
      return {
        cause: "the instances name their session cookie differently, so each ignores the other's",
        hint: ONE_COOKIE_NAME_HINT,
        evidence: named.map((c) => `${on(c.port)} sets a cookie named ${c.names.join(", ")}`),
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "late-write",
    when: (o) => {
      const late = o.fresh.find((f) => !f.inAnswer.some(isWrite) && f.after.some(isWrite));
      const write = late?.after.find(isWrite);
      if (!late || !write) return undefined;
      return {
        cause: `the session reaches Redis only after the answer has gone: the next request, on another instance, comes before it (${on(late.port)} wrote it ${late.afterMs ?? "?"} ms late)`,
        hint: "Answer only once the store has saved the session: await the store's write (no setTimeout, no fire-and-forget), or let the session library save it before the response.",
        evidence: [
          `${on(late.port)} answered /session/set/… and wrote nothing to Redis while answering`,
          `then ${write.command} ${inDb(write)} arrived ${late.afterMs ?? "?"} ms after the answer`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "short-ttl",
    when: (o) => {
      const short = o.fresh.find(
        (f) => f.pttlMs !== undefined && f.pttlMs >= 0 && f.pttlMs < o.shortTtlMs,
      );
      const write = short && [...short.inAnswer, ...short.after].find(isWrite);
      if (!short || !write) return undefined;
      return {
        cause: `sessions expire after about ${Math.max(1, Math.round((short.pttlMs ?? 0) / 1000))} s: the value is gone before the next requests`,
        hint: SHORT_TTL_HINT,
        evidence: [
          `${on(short.port)} wrote ${inDb(write)}, which expires in ${short.pttlMs} ms (PTTL)`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "per-instance-db",
    when: (o) => {
      const written = sessionWrite(o.setter, o.value);
      if (!written) return undefined;
      for (const r of o.replays) {
        if (r.port === o.setter.port || r.shows) continue;
        const read = r.touches.find(
          (t) =>
            isRead(t) && t.db !== written.db && sessionIdOf(t.key) === sessionIdOf(written.key),
        );
        if (read)
          return {
            cause: `each instance uses its own Redis database: ${on(o.setter.port)} keeps the session in database ${written.db}, ${on(r.port)} looks in database ${read.db}`,
            hint: SAME_DATABASE_HINT,
            evidence: [
              `${on(r.port)} read ${inDb(read)} and found nothing; ${on(o.setter.port)} wrote ${inDb(written)}`,
            ],
            confidence: "confirmed",
          };
      }
      return undefined;
    },
  },
  {
    causeId: "per-instance-prefix",
    when: (o) => {
      const written = sessionWrite(o.setter, o.value);
      if (!written) return undefined;
      for (const r of o.replays) {
        if (r.port === o.setter.port || r.shows) continue;
        const reads = r.touches.filter((t) => isRead(t) && t.key !== written.key);
        const read =
          reads.find((t) => sessionIdOf(t.key) === sessionIdOf(written.key)) ??
          reads.find((t) => t.key.includes(sessionIdOf(written.key)));
        if (read)
          return {
            cause: `the instances keep sessions under different key prefixes: ${on(r.port)} looks for the same session under another key than the one ${on(o.setter.port)} wrote`,
            hint: ONE_PREFIX_HINT,
            evidence: [
              `${on(r.port)} read ${inDb(read)} and found nothing; ${on(o.setter.port)} wrote ${inDb(written)}`,
            ],
            confidence: "confirmed",
          };
      }
      return undefined;
    },
  },
  {
    causeId: "secret-mismatch",
    when: (o) => {
      const written = sessionWrite(o.setter, o.value);
      if (!written) return undefined;
      const other = o.replays.find(
        (r) =>
          r.port !== o.setter.port &&
          r.sentCookie &&
          !r.shows &&
          usesRedis(o, r.port) &&
          !r.touches.some((t) => isRead(t) && t.key === written.key),
      );
      if (!other) return undefined;
      return {
        cause: `the instances sign or encrypt the session cookie with different secrets: ${on(other.port)} does not accept the cookie ${on(o.setter.port)} gave, so it never looks the session up`,
        hint: ONE_SECRET_HINT,
        evidence: [
          `${on(o.setter.port)} wrote ${inDb(written)}`,
          `the visitor's cookie, sent to ${on(other.port)} directly, made it read nothing of that key${other.reissued ? `, and it answered with a new ${other.reissued} cookie` : ""}`,
          `${on(other.port)} does use Redis: it wrote its own new sessions there`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "cookie-reissued",
    when: (o) => {
      const folders = o.files.filter((f) => f.port !== undefined);
      if (folders.length === 0 || o.replays.some((r) => usesRedis(o, r.port))) return undefined;
      const r = o.replays.find((x) => !x.shows && x.reissued);
      if (!r) return undefined;
      return {
        cause: `each instance keeps its own sessions, and ${on(r.port)}, which did not know yours, answered with a new session cookie that replaced it: afterwards even the instance that stored the value shows nothing`,
        hint: SHARED_STORE_HINT,
        evidence: [
          `the visitor's cookie, sent to ${on(r.port)} directly, got a new ${r.reissued} cookie back`,
          ...folders.map(
            (f) => `session files written under ${f.dir}/, which only :${f.port} reads`,
          ),
          `no instance wrote a session to ${o.redisLabel} during the check`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "own-store",
    when: (o) => {
      const folders = o.files.filter((f) => f.port !== undefined);
      if (folders.length === 0 || o.replays.some((r) => usesRedis(o, r.port))) return undefined;
      return {
        cause: "each instance reads its own session store",
        hint: SHARED_STORE_HINT,
        evidence: [
          ...folders.map(
            (f) => `session files written under ${f.dir}/, which only :${f.port} reads`,
          ),
          `no instance wrote a session to ${o.redisLabel} during the check`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "memory-store",
    when: (o) => {
      if (o.replays.length === 0 || o.replays.some((r) => usesRedis(o, r.port))) return undefined;
      if (o.files.length > 0) return undefined;
      return {
        cause:
          "each instance keeps its sessions in its own memory (the library's default memory store, or a Map): they are split across instances and lost on every restart",
        hint: SHARED_STORE_HINT,
        evidence: [
          `no instance wrote a session to ${o.redisLabel} during the check, not even for a new visitor set on each directly`,
          "and no session file was written",
        ],
        confidence: "confirmed",
      };
    },
  },
];

/**
 * Why every instance shares the session, yet not through the Redis REDIS_URL names: the
 * rules, most specific first.
 */
export const STORE_RULES: readonly Rule<StoreObservations & { value: string }>[] = [
  {
    causeId: "other-database",
    when: (o) => {
      const written = sessionWrite(o.setter, o.value);
      if (!written || written.db === o.labDb) return undefined;
      return {
        cause: `the sessions are in Redis database ${written.db}, not in database ${o.labDb} that REDIS_URL names`,
        hint: URL_AS_IT_IS_HINT,
        evidence: [
          `${on(o.setter.port)} wrote ${inDb(written)} of ${o.redisLabel}; REDIS_URL names database ${o.labDb}`,
        ],
        confidence: "confirmed",
      };
    },
  },
  {
    causeId: "other-redis",
    when: (o) =>
      o.otherRedis && o.instanceWrites === 0
        ? {
            cause:
              "the sessions are in another Redis than the one in REDIS_URL: the app names its own Redis, and breaks wherever the Redis is elsewhere",
            hint: CLIENT_FROM_ENV_HINT,
            evidence: [
              `:${o.otherRedis.port} is connected to ${o.otherRedis.address}, a Redis (it answers PING)`,
              `and no instance wrote a session to ${o.redisLabel}`,
            ],
            confidence: "confirmed",
          }
        : undefined,
  },
  {
    causeId: "cookie-only-session",
    when: (o) =>
      o.cookieCarriesValue && o.instanceWrites === 0
        ? {
            cause:
              "the session lives in the cookie itself (cookie-session, a JWT): nothing is stored on the server, so it cannot be revoked and its size is limited",
            hint: STORE_IN_REDIS_HINT,
            evidence: [
              "the session cookie carries the value that was set",
              `and no instance wrote a session to ${o.redisLabel}`,
            ],
            confidence: "confirmed",
          }
        : undefined,
  },
  {
    causeId: "shared-folder",
    when: (o) => {
      const shared = o.files.filter((f) => f.port === undefined);
      if (shared.length === 0 || o.instanceWrites > 0) return undefined;
      return {
        cause:
          "the instances share one folder on this machine: that breaks as soon as they run on separate machines",
        hint: STORE_IN_REDIS_HINT,
        evidence: shared.map((f) => `session files written under ${f.dir}/`),
        confidence: "confirmed",
      };
    },
  },
];

/** The first rule that applies, with its causeId; undefined when none does. */
export function firstMatch<O>(
  rules: readonly Rule<O>[],
  observations: O,
): ObservedDiagnosis | undefined {
  for (const rule of rules) {
    const found = rule.when(observations);
    if (found) return { causeId: rule.causeId, ...found };
  }
  return undefined;
}
