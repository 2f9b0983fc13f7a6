import type { Observation, Verdict } from "./types.js";
import { ports, visibility } from "./visibility.js";

const OWN_STORE_HINT =
  "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";

export interface SharedFacts {
  readonly setOn: number | null;
  readonly reads: readonly Observation[];
  readonly value: string;
  readonly instances: readonly number[];
}

export function gradeShared(facts: SharedFacts): Verdict {
  const seen = visibility(facts.reads, facts.value, facts.instances);
  const missing = seen.filter((i) => !i.saw).map((i) => i.port);
  const saw = seen.filter((i) => i.saw).map((i) => i.port);
  const setOn = facts.setOn === null ? "one instance" : `:${facts.setOn}`;
  if (facts.reads.length > 0 && facts.reads.every((r) => r.shows === facts.value)) {
    return {
      status: "pass",
      summary: `set on ${setOn}, seen on every instance (${ports(saw)}) in ${facts.reads.length} reads`,
    };
  }
  if (saw.length === 0) {
    return {
      status: "fail",
      summary: `set on ${setOn}, then no read showed it`,
      causeId: "value-not-kept",
      cause: "the value is not kept in the session at all, or GET / does not show it",
      hint: "GET /session/set/<value> must store the value in the session, and GET / must show it.",
    };
  }
  return {
    status: "fail",
    summary: `set on ${setOn}, missing on ${ports(missing)}`,
    causeId: "own-store",
    cause: "each instance reads its own session store",
    hint: OWN_STORE_HINT,
  };
}

export function gradeUnset(facts: {
  unsetOn: number | null;
  reads: readonly Observation[];
  value: string;
  instances: readonly number[];
}): Verdict {
  const still = visibility(facts.reads, facts.value, facts.instances, "any")
    .filter((i) => i.saw)
    .map((i) => i.port);
  const on = facts.unsetOn === null ? "one instance" : `:${facts.unsetOn}`;
  if (still.length === 0 && facts.reads.every((r) => r.shows !== facts.value)) {
    return {
      status: "pass",
      summary: `unset on ${on}; no instance showed it in ${facts.reads.length} reads`,
    };
  }
  if (facts.unsetOn !== null && still.includes(facts.unsetOn)) {
    return {
      status: "fail",
      summary: `unset on ${on}, but ${ports(still)} still show${still.length === 1 ? "s" : ""} it`,
      causeId: "unset-not-removed",
      cause: "/session/unset/ does not remove the value",
      hint: "GET /session/unset/ must delete the value from the session (and the session store must save that).",
    };
  }
  return {
    status: "fail",
    summary: `unset on ${on} but still visible on ${ports(still)}`,
    causeId: "own-store",
    cause: "each instance has its own copy of the session",
    hint: OWN_STORE_HINT,
  };
}

export function gradeIsolation(facts: {
  valueA: string;
  valueB: string;
  /** B's reads before it set anything, then after it set valueB. */
  beforeB: readonly Observation[];
  afterB: readonly Observation[];
  /** A's reads at the end. */
  readsA: readonly Observation[];
  instances: readonly number[];
}): Verdict {
  const leakedToB = [...facts.beforeB, ...facts.afterB].filter((r) => r.shows === facts.valueA);
  const leakedToA = facts.readsA.filter((r) => r.shows === facts.valueB);
  const first = leakedToB[0] ?? leakedToA[0];
  if (first) {
    const who =
      leakedToB.length > 0
        ? "client B (with its own cookies) saw A's value"
        : "client A saw B's value";
    return {
      status: "fail",
      summary: `${who}${first.port ? ` on :${first.port}` : ""}`,
      causeId: "global-value",
      cause: "the app keeps one value for everyone, not one per session",
      hint: "Keep the value in req.session (one per visitor), not in a variable shared by every request.",
    };
  }
  const missing = visibility(facts.afterB, facts.valueB, facts.instances)
    .filter((i) => !i.saw)
    .map((i) => i.port);
  if (missing.length > 0 || facts.afterB.some((r) => r.shows !== facts.valueB)) {
    return {
      status: "fail",
      summary: `B never saw A's value, but B's own value was missing on ${missing.length > 0 ? ports(missing) : "some reads"}`,
      causeId: "own-store",
      cause: "each instance reads its own session store",
      hint: OWN_STORE_HINT,
    };
  }
  return {
    status: "pass",
    summary: "B never saw A's value, and B's own value was seen on every instance",
  };
}

export function gradeRestart(facts: {
  before: readonly Observation[];
  after: readonly Observation[];
  value: string;
  instances: readonly number[];
}): Verdict {
  if (!facts.before.every((r) => r.shows === facts.value)) {
    const missing = visibility(facts.before, facts.value, facts.instances)
      .filter((i) => !i.saw)
      .map((i) => i.port);
    return {
      status: "fail",
      summary: `not seen on every instance even before the restart (missing on ${ports(missing)})`,
      causeId: "own-store",
      cause: "each instance reads its own session store",
      hint: OWN_STORE_HINT,
    };
  }
  const after = visibility(facts.after, facts.value, facts.instances);
  const lost = after.filter((i) => !i.saw).map((i) => i.port);
  if (facts.after.length > 0 && facts.after.every((r) => r.shows === facts.value)) {
    return {
      status: "pass",
      summary: `still seen on every instance after restarting all ${after.length}`,
    };
  }
  return {
    status: "fail",
    summary:
      lost.length === after.length
        ? "visible on every instance until the restart, lost after"
        : `visible until the restart, then lost on ${ports(lost)}`,
    causeId: "not-persistent",
    cause: "the store does not outlive the process",
    hint: "Keep the sessions outside the app's memory: in Redis, which outlives any instance.",
  };
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
      hint: "Store the sessions with connect-redis, using the REDIS_URL the lab passes to every instance.",
    };
  }
  return {
    status: "fail",
    summary,
    causeId: "not-in-redis",
    cause: "the sessions are not stored in Redis yet",
    hint: "Store the sessions with connect-redis, using the REDIS_URL the lab passes to every instance.",
  };
}
