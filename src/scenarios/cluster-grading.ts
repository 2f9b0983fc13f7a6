import { CLUSTER_HINT, CROSSSLOT_HINT } from "../diagnosis/hints.js";
import type { Verdict } from "../model/results.js";
import { gradeLogoutEverywhere } from "./logout.js";
import { ports, portsOf } from "./reads.js";

/** A redirection a client that is not cluster-aware meets: `MOVED 866 127.0.0.1:30002` (or ASK). */
const REDIRECT = /\b(?:MOVED|ASK) \d+ [\w.:[\]-]+/;
/** What Redis answers a command whose keys are in different hash slots. */
const CROSSSLOT = /CROSSSLOT[^<\n]*/;

/** The first line (of pages, then logs) that shows a redirection; undefined when none does. */
export function findRedirect(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const found = REDIRECT.exec(text);
    if (found) return found[0];
  }
  return undefined;
}

/** The first CROSSSLOT error in these texts (a page, log lines), trimmed. */
export function findCrossslot(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const found = CROSSSLOT.exec(text);
    if (found) return found[0].replace(/&#39;|&apos;/g, "'").trim();
  }
  return undefined;
}

export const NOT_CLUSTER_AWARE =
  "the app's Redis client is not cluster-aware: it talks to the one node of REDIS_URL, which answers MOVED for every key whose slot another primary serves";

/** Where the sessions' keys were found: a primary, the slots it serves, how many keys. */
export interface PrimaryKeys {
  readonly address: string;
  readonly slots: string;
  readonly keys: number;
}

/** Grades "every visitor's session is kept, in the cluster, spread over its primaries". */
export function gradeClusterSessions(facts: {
  readonly visitors: number;
  /** Visitors whose value was not shown by every read after the set, and the instances that did not show it. */
  readonly lost: readonly { port: number | null; status: number }[][];
  /** A MOVED (or ASK) redirection seen on a page or in an instance's log. */
  readonly redirect: string | undefined;
  /** The primaries, REDIS_URL's first, with the keys found under the run's prefix. */
  readonly primaries: readonly PrimaryKeys[];
}): Verdict {
  const { visitors, primaries } = facts;
  const found = primaries.reduce((sum, p) => sum + p.keys, 0);
  const where = primaries.map((p) => `:${p.address.split(":").at(-1)} ${p.keys}`).join(", ");
  const slotsOf = primaries.map(
    (p) => `:${p.address.split(":").at(-1)} serves slots ${p.slots} and holds ${p.keys} of them`,
  );
  const first = primaries[0];
  const lost = facts.lost.length;
  if (lost > 0) {
    const failed = facts.lost.flat().filter((r) => r.status !== 200);
    const statuses = [...new Set(failed.map((r) => r.status))].join(", ");
    const onlyFirst =
      first !== undefined && found > 0 && found === first.keys && primaries.length > 1;
    const missingOn = portsOf(facts.lost.flat());
    const reads = `${failed.length} read${failed.length === 1 ? "" : "s"} answered ${statuses}`;
    if (facts.redirect || onlyFirst) {
      return {
        status: "fail",
        summary: `${lost} of ${visitors} sessions were not found: ${
          facts.redirect
            ? "the app's Redis answered MOVED for their keys' slots"
            : `the only session keys in the cluster are on :${first?.address.split(":").at(-1)}, the node of REDIS_URL`
        }`,
        causeId: "not-cluster-aware",
        cause: NOT_CLUSTER_AWARE,
        hint: CLUSTER_HINT,
        evidence: [
          ...(facts.redirect ? [`the app was told: ${facts.redirect}`] : []),
          ...(failed.length > 0 ? [reads] : []),
          `the kept sessions' keys: ${where}`,
          ...slotsOf,
        ],
        confidence: "confirmed",
      };
    }
    return {
      status: "fail",
      summary: `${lost} of ${visitors} visitors' values were not seen on every instance after they set them${
        missingOn.length > 0 ? ` (missing on ${ports(missingOn)})` : ""
      }`,
      causeId: "value-not-kept",
      cause: "the session is not kept in the cluster between requests",
      hint: CLUSTER_HINT,
      evidence: [...(failed.length > 0 ? [reads] : []), `session keys in the cluster: ${where}`],
    };
  }
  if (found === 0) {
    return {
      status: "fail",
      summary: `every visitor's value was kept, but none of the ${visitors} sessions is in the lab's Redis Cluster`,
      causeId: "not-in-redis",
      cause: "the sessions are kept somewhere else than the Redis Cluster handed to the app",
      hint: CLUSTER_HINT,
      evidence: slotsOf,
    };
  }
  const holding = primaries.filter((p) => p.keys > 0);
  if (holding.length === 1 && primaries.length > 1) {
    return {
      status: "fail",
      summary: `all ${found} session keys of ${visitors} visitors are on one primary (:${holding[0]?.address.split(":").at(-1)}): a hash tag in the key prefix puts every session in one slot`,
      causeId: "one-slot",
      cause:
        "every session key hashes to one slot (a {hash tag} in the prefix): one primary takes all the load, and the cluster gives none of its scale",
      hint: "Keep hash tags for keys that one command must touch together (a user's keys); leave the session prefix without braces.",
      evidence: slotsOf,
      confidence: "confirmed",
    };
  }
  return {
    status: "pass",
    summary: `${visitors} visitors' sessions were kept on every instance; their keys are spread over ${holding.length} primaries (${where})`,
  };
}

/** Grades "log out everywhere" in a cluster: MOVED and CROSSSLOT first, then the rules of exercise 02. */
export function gradeClusterLogout(facts: {
  readonly user: string;
  readonly other: string;
  /** The status of /logout-everywhere. */
  readonly status: number;
  readonly redirect: string | undefined;
  readonly crossslot: string | undefined;
  readonly sameUser: readonly { port: number | null; user: string }[];
  readonly otherUser: readonly { port: number | null; user: string }[];
}): Verdict {
  if (facts.redirect) {
    return {
      status: "fail",
      summary: `logging in and out as ${facts.user} met MOVED: the app's Redis does not serve every slot`,
      causeId: "not-cluster-aware",
      cause: NOT_CLUSTER_AWARE,
      hint: CLUSTER_HINT,
      evidence: [`the app was told: ${facts.redirect}`],
      confidence: "confirmed",
    };
  }
  if (facts.crossslot) {
    const still = facts.sameUser.filter((r) => r.user === facts.user);
    return {
      status: "fail",
      summary: `/logout-everywhere answered ${facts.status || "nothing"}: one command over the user's keys met CROSSSLOT (their keys are in different slots)${
        still.length > 0
          ? `, and the other browser is still logged in on ${ports(portsOf(still))}`
          : ""
      }`,
      causeId: "crossslot",
      cause:
        "one multi-key command (DEL of every session of the user) spans keys in different hash slots, which a Redis Cluster refuses",
      hint: CROSSSLOT_HINT,
      evidence: [`the app was told: ${facts.crossslot}`],
      confidence: "confirmed",
    };
  }
  return gradeLogoutEverywhere({
    user: facts.user,
    other: facts.other,
    sameUser: facts.sameUser,
    otherUser: facts.otherUser,
    keysLeft: [],
  });
}
