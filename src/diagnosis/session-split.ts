import type { CauseId } from "../model/results.js";
import type { Hint } from "../model/track.js";
import {
  ATTRIBUTE_HINTS,
  CLIENT_FROM_ENV_HINT,
  ONE_COOKIE_NAME_HINT,
  ONE_PREFIX_HINT,
  ONE_SECRET_HINT,
  SAME_DATABASE_HINT,
  SHARED_STORE_HINT,
  URL_AS_IT_IS_HINT,
} from "./hints.js";

/** What the lab found out about one session, beyond what the pages showed. Pure data. */
export interface SessionFacts {
  /** A Set-Cookie a browser would not keep, or not send back to "/", and why. */
  readonly cookieTrouble?: { readonly line: string; readonly reason: string };
  /** The session cookie names each instance set for a fresh visitor (from a probe). */
  readonly cookieNames: readonly {
    readonly port: number | null;
    readonly names: readonly string[];
  }[];
  /** A read that answered with a new value for the visitor's session cookie. */
  readonly reissued?: { readonly port: number | null; readonly name: string };
  /** Where the session is in the lab's Redis (any database). */
  readonly redisKey?: { readonly key: string; readonly db: number; readonly pttlMs: number };
  /** The database REDIS_URL names, and the prefix the lab passed in SESSION_PREFIX. */
  readonly labDb: number;
  readonly labPrefix?: string;
  readonly redisLabel: string;
  /** Folders under the app's folder where files were written during the check. */
  readonly files: readonly { readonly dir: string; readonly port?: number }[];
  /** Whether the app's folder was looked at (not for a deployment given with --url). */
  readonly lookedForFiles: boolean;
  /** The cookie itself carries the value (cookie-session, a JWT, Flask's signed cookie). */
  readonly cookieCarriesValue: boolean;
  /** The session found in another Redis than the lab's (the usual local one). */
  readonly otherRedis?: { readonly url: string; readonly key: string };
}

export interface Diagnosis {
  readonly causeId: CauseId;
  readonly cause: string;
  readonly hint: Hint;
  readonly evidence: readonly string[];
}

/**
 * Why a value set through one instance is missing on another (or everywhere): the cookie,
 * the key, the database or the store, from the evidence, most specific first.
 */
export function diagnoseSplit(facts: SessionFacts): Diagnosis {
  if (facts.cookieTrouble) {
    const { line, reason } = facts.cookieTrouble;
    return {
      causeId: "cookie-not-returned",
      cause: `a browser never sends the session cookie back: ${reason}`,
      hint: ATTRIBUTE_HINTS.find(([re]) => re.test(reason))?.[1] ?? "Fix the cookie's attributes.",
      evidence: [`Set-Cookie: ${line}`],
    };
  }
  const named = facts.cookieNames.filter((c) => c.names.length > 0);
  const distinct = new Set(named.map((c) => [...c.names].sort().join(",")));
  if (distinct.size > 1) {
    return {
      causeId: "cookie-name-mismatch",
      cause: "the instances name their session cookie differently, so each ignores the other's",
      hint: ONE_COOKIE_NAME_HINT,
      evidence: named.map((c) => `${where(c.port)} sets a cookie named ${c.names.join(", ")}`),
    };
  }
  const key = facts.redisKey;
  if (key && key.db !== facts.labDb) {
    return {
      causeId: "per-instance-db",
      cause: `the session is in Redis database ${key.db}, but the other instance reads database ${facts.labDb}: each instance chooses its own database`,
      hint: SAME_DATABASE_HINT,
      evidence: [`the session is key ${key.key} in database ${key.db} of ${facts.redisLabel}`],
    };
  }
  if (key && facts.labPrefix && !key.key.startsWith(facts.labPrefix)) {
    const prefix = key.key.slice(0, Math.max(0, key.key.length - trailingId(key.key).length));
    return {
      causeId: "per-instance-prefix",
      cause: `the session is in Redis under the prefix ${prefix || "(none)"}, which only the instance that wrote it reads: the prefix differs per instance`,
      hint: ONE_PREFIX_HINT,
      evidence: [`the session is in Redis as ${key.key}; the lab's prefix is ${facts.labPrefix}`],
    };
  }
  if (key) {
    const reissued = facts.reissued
      ? [
          `${where(facts.reissued.port)} answered with a new ${facts.reissued.name} cookie of the same name`,
        ]
      : [];
    return {
      causeId: "secret-mismatch",
      cause:
        "the session is in Redis, but the other instance does not accept the cookie: the instances sign cookies with different secrets",
      hint: ONE_SECRET_HINT,
      evidence: [`the session is in Redis as ${key.key}`, ...reissued],
    };
  }
  const fileEvidence = perInstanceFolders(facts);
  if (facts.reissued) {
    return {
      causeId: "cookie-reissued",
      cause: `each instance keeps its own sessions, and ${where(facts.reissued.port)}, which did not know yours, answered with a new session cookie that replaced it: afterwards even the instance that stored the value shows nothing`,
      hint: SHARED_STORE_HINT,
      evidence: [
        `${where(facts.reissued.port)} answered with a new ${facts.reissued.name} cookie`,
        ...fileEvidence,
      ],
    };
  }
  if (fileEvidence.length > 0 || !facts.lookedForFiles) {
    return {
      causeId: "own-store",
      cause: "each instance reads its own session store",
      hint: SHARED_STORE_HINT,
      evidence: fileEvidence,
    };
  }
  return {
    causeId: "memory-store",
    cause:
      "each instance keeps its sessions in its own memory (express-session's default MemoryStore, or a Map): they are split across instances and lost on every restart",
    hint: SHARED_STORE_HINT,
    evidence: [
      `no key for this session in ${facts.redisLabel}, in any database, and no session file written`,
    ],
  };
}

/** Why sessions are shared between the instances without being in the lab's Redis. */
export function diagnoseUnshared(facts: SessionFacts): Diagnosis {
  const hint =
    "Store the sessions with connect-redis, using the REDIS_URL the lab passes to every instance.";
  if (facts.redisKey) {
    return {
      causeId: "other-database",
      cause: `the sessions are in Redis database ${facts.redisKey.db}, not in database ${facts.labDb} that REDIS_URL names`,
      hint: URL_AS_IT_IS_HINT,
      evidence: [`the session is key ${facts.redisKey.key} in database ${facts.redisKey.db}`],
    };
  }
  if (facts.otherRedis) {
    return {
      causeId: "other-redis",
      cause:
        "the sessions are in another Redis than the one in REDIS_URL: the app names its own Redis, and breaks wherever the Redis is elsewhere",
      hint: CLIENT_FROM_ENV_HINT,
      evidence: [
        `the session is in ${facts.otherRedis.url} as ${facts.otherRedis.key}, not in ${facts.redisLabel}`,
      ],
    };
  }
  if (facts.cookieCarriesValue) {
    return {
      causeId: "cookie-only-session",
      cause:
        "the session lives in the cookie itself (cookie-session, a JWT): nothing is stored on the server, so it cannot be revoked and its size is limited",
      hint,
      evidence: ["the session cookie carries the value that was set"],
    };
  }
  const shared = facts.files.filter((f) => f.port === undefined);
  if (shared.length > 0) {
    return {
      causeId: "shared-folder",
      cause:
        "the instances share one folder on this machine: that breaks as soon as they run on separate machines",
      hint,
      evidence: shared.map((f) => `session files written under ${f.dir}/`),
    };
  }
  return {
    causeId: "other-redis",
    cause:
      "the sessions are shared, but not through the Redis in REDIS_URL: does the app name another Redis (or store) of its own?",
    hint: CLIENT_FROM_ENV_HINT,
    evidence: [`no key for this session in ${facts.redisLabel}, in any database`],
  };
}

function perInstanceFolders(facts: SessionFacts): string[] {
  return facts.files
    .filter((f) => f.port !== undefined)
    .map((f) => `session files written under ${f.dir}/, which only :${f.port} reads`);
}

function where(port: number | null): string {
  return port === null ? "another instance" : `:${port}`;
}

/** The session id at the end of a key (after its last ":"). */
function trailingId(key: string): string {
  return key.slice(key.lastIndexOf(":") + 1);
}
