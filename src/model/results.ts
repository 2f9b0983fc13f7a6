import type { Hint } from "./track.js";

/** The scenarios that can grade an exercise, in the order they run. */
export const SCENARIO_IDS = [
  "boot",
  "shared",
  "unset",
  "isolation",
  "restart",
  "store-evidence",
  "logout-everywhere",
  "logout-one",
  "sliding-expiry",
  "idle-expiry",
  "redis-outage",
  "sentinel-failover",
  "primary-hang",
  "cluster-sessions",
  "cluster-resharding",
  "cluster-logout",
  "lost-update",
  "logout-undone",
  "fixation",
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** One request a scenario made through the proxy and what it saw. */
export interface Observation {
  /** Which simulated browser: "A", "B", ... each with its own cookie jar. */
  readonly client: string;
  readonly path: string;
  readonly status: number;
  /** The port of the instance that served it, when known. */
  readonly port: number | null;
  /** Which of the scenario's values the page showed ("" for none of them). */
  readonly shows: string;
  /** Names of the cookies the response set. */
  readonly setCookie: readonly string[];
  /** Names of cookies the client held that this response replaced with another value. */
  readonly replaced?: readonly string[];
  readonly ms: number;
}

export type ScenarioStatus = "pass" | "fail" | "error" | "skipped";

/**
 * Why a scenario failed or could not run, as a stable id that autograders and the room
 * board count (documented in the README; never renamed, only added to).
 */
export const CAUSE_IDS = [
  // Sessions are not shared between the instances, and why.
  "own-store",
  "cookie-reissued",
  "per-instance-prefix",
  "per-instance-db",
  "secret-mismatch",
  "cookie-name-mismatch",
  "cookie-not-returned",
  "no-cookie",
  "late-write",
  "memory-store",
  "value-not-kept",
  // Sessions are shared, but not through the Redis the lab passed.
  "not-in-redis",
  "shared-folder",
  "cookie-only-session",
  "other-redis",
  "other-database",
  // Sessions do not last.
  "store-cleared-on-start",
  "not-persistent",
  "short-ttl",
  // Logging out (exercise 02).
  "logout-not-everywhere",
  "logout-too-wide",
  "session-left-in-redis",
  "logout-not-ending",
  "logout-ends-all",
  // Expiry (exercise 03).
  "never-expires",
  "not-sliding",
  "cookie-only-expiry",
  // A Redis outage (exercise 04).
  "hangs-without-redis",
  "error-not-503",
  "crashes-without-redis",
  "no-recovery",
  "redis-not-ready",
  // A Sentinel failover (exercise 05).
  "readonly-after-failover",
  "no-failover-follow",
  "sessions-lost-in-failover",
  // A Redis Cluster (exercise 06).
  "not-cluster-aware",
  "crossslot",
  "one-slot",
  "redirect-not-followed",
  // Races and fixation (exercise 07).
  "lost-update",
  "logout-undone",
  "session-fixation",
  "old-session-accepted",
  "race-not-provoked",
  // The app's pages.
  "unset-not-removed",
  "global-value",
  "app-error",
  // The app could not be graded.
  "app-did-not-start",
  "ignores-app-port",
  "never-listened",
  "daemonized",
  "instance-down",
  "no-answer",
  "no-redis",
  "no-scenario",
] as const;
export type CauseId = (typeof CAUSE_IDS)[number];

/**
 * How sure the lab is of a cause: `confirmed`, an observation decided it (a command seen in
 * Redis, a cookie replayed to an instance, a key's TTL read); `likely`, it is inferred (from a
 * cookie's format, a default prefix), e.g. when the lab could not watch Redis.
 */
export type Confidence = "confirmed" | "likely";

/** One small experiment run to explain a failure: what was tried and what was seen. */
export interface Experiment {
  /** A stable name: "replay-cookie", "fresh-set", "ttl", "late-write", "connections" ... */
  readonly name: string;
  /** What was tried, in words. */
  readonly tried: string;
  /** What was seen, in words. */
  readonly saw: string;
  /** The same as data, for --json. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** What one scenario found: a status, one sentence, and for failures a cause and a hint. */
export interface Verdict {
  readonly status: ScenarioStatus;
  readonly summary: string;
  readonly causeId?: CauseId;
  readonly cause?: string;
  /** What to do, in the words of each track where it names a library (see track.ts). */
  readonly hint?: Hint;
  /** Facts the attendee can verify: the key found, the database, the cookie attribute ... */
  readonly evidence?: readonly string[];
  /** How sure the lab is of the cause (failures only). */
  readonly confidence?: Confidence;
  /** The experiments that decided (or failed to decide) the cause. */
  readonly experiments?: readonly Experiment[];
}

export interface ScenarioResult extends Omit<Verdict, "hint"> {
  /** What to do, in the words of the exercise's track. */
  readonly hint?: string;
  readonly id: ScenarioId;
  readonly title: string;
  /** Per instance: did it show the value this scenario is about? */
  readonly instances?: readonly { port: number; saw: boolean }[];
  readonly observations: readonly Observation[];
  /** Log lines worth showing with an error (an instance that crashed). */
  readonly lastLines?: readonly string[];
  readonly ms: number;
}

/**
 * What a scenario finds; the runner adds its id, title and time, and picks the hint's words for
 * the exercise's track.
 */
export type ScenarioOutcome = Omit<ScenarioResult, "id" | "title" | "ms" | "hint"> & {
  readonly hint?: Hint;
};

export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  boot: "every instance answers on its APP_PORT",
  shared: "a value set through one instance is seen by all",
  unset: "an unset value is gone from every instance",
  isolation: "each client sees only its own session",
  restart: "sessions survive restarting every instance",
  "store-evidence": "the session is really stored in Redis",
  "logout-everywhere": "logging out everywhere ends every session of the user, only theirs",
  "logout-one": "plain logout ends one session, not the user's others",
  "sliding-expiry": "an active visitor keeps the session past its lifetime (sliding expiry)",
  "idle-expiry": "an idle visitor's session expires after its lifetime, in Redis too",
  "redis-outage": "while Redis is away the site answers 503 at once, and recovers by itself",
  "sentinel-failover":
    "sessions set before a Sentinel failover are read and written after it, on every instance",
  "primary-hang": "a hung primary is failed over and the site follows the new one within 5 s",
  "cluster-sessions":
    "every visitor's session is kept in a Redis Cluster, whichever primary its key's slot is on",
  "cluster-resharding":
    "a visitor's session is read and written while its slot moves to another primary",
  "cluster-logout": "logging out everywhere works in a Redis Cluster (no CROSSSLOT)",
  "lost-update": "additions made at the same time on two instances all end up in the cart",
  "logout-undone": "a slow request that ends after /logout does not bring the session back",
  fixation: "a login gives the visitor a new session id, and the old one stops working",
};

/** An advisory: reported, never changes the verdict. */
export interface Advisory {
  readonly id: "reflected-xss" | "prefix";
  readonly message: string;
}
