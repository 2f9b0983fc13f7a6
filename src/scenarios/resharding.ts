import type { ScenarioClient } from "../client/client.js";
import { CannotRunError } from "../client/client.js";
import { CLUSTER_HINT, FOLLOW_REDIRECTS_HINT } from "../diagnosis/hints.js";
import type { Observation, Verdict } from "../model/results.js";
import { below500, errorTexts, withoutBody } from "./cluster.js";
import { findRedirect, NOT_CLUSTER_AWARE } from "./cluster-grading.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";

/** One request of the visitor while (or after) their session's slot moved. */
export interface ReshardProbe {
  readonly phase: "while" | "after";
  readonly path: string;
  readonly status: number;
  /** Whether the page showed the value the session should hold then. */
  readonly ok: boolean;
}

const port = (address: string) => `:${address.split(":").at(-1)}`;

/** Grades a resharding under a visitor: every request answered, the session shown throughout. */
export function gradeResharding(facts: {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  readonly probes: readonly ReshardProbe[];
  readonly redirect: string | undefined;
}): Verdict {
  const { slot, from, to, probes } = facts;
  const moved = `the visitor's slot ${slot} moved from ${port(from)} to ${port(to)}`;
  const failed = probes.filter((p) => !p.ok);
  if (failed.length === 0) {
    return {
      status: "pass",
      summary: `${moved} under ${probes.length} requests: every one showed the session (ASK while it moved, MOVED after, followed by the client)`,
    };
  }
  const during = failed.filter((p) => p.phase === "while").length;
  const statuses = [...new Set(failed.map((p) => p.status))].join(", ");
  return {
    status: "fail",
    summary: `${failed.length} of ${probes.length} requests failed while ${moved} (${during} while it moved, ${failed.length - during} after; answered ${statuses})`,
    causeId: "redirect-not-followed",
    cause:
      "the app's Redis client does not follow the cluster when slots move (ASK while a slot migrates, MOVED once it has)",
    hint: FOLLOW_REDIRECTS_HINT,
    evidence: [
      ...(facts.redirect ? [`the app was told: ${facts.redirect}`] : []),
      ...failed
        .slice(0, 3)
        .map(
          (p) =>
            `${p.phase === "while" ? "while it moved" : "after it moved"}: GET ${p.path} answered ${p.status || "nothing"}`,
        ),
    ],
    confidence: "confirmed",
  };
}

async function probe(
  client: ScenarioClient,
  phase: ReshardProbe["phase"],
  path: string,
  value: string,
  pages: (Observation & { body: string })[],
): Promise<ReshardProbe> {
  const page = await client.page(path, [value]);
  pages.push(page);
  return { phase, path, status: page.status, ok: page.status === 200 && page.shows === value };
}

/**
 * A visitor sets a value; the lab moves the slot of their session's key to another primary
 * while they keep reading and writing it (reads on every instance, a write and its read),
 * and again once it has moved.
 */
export async function clusterResharding(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const cluster = ctx.cluster;
  if (!cluster)
    throw new CannotRunError(
      "this exercise needs the lab's own Redis Cluster, and there is none (--url?)",
      "no-redis",
    );
  const prefix = ctx.sessionPrefix ?? "";
  const known = new Set([...(await cluster.keysByPrimary(prefix)).values()].flat());
  const a = ctx.client("A");
  const value = ctx.token();
  const pages: (Observation & { body: string })[] = [];
  const set = await probe(a, "while", `/session/set/${value}`, value, pages);
  const stored = await probe(a, "while", "/", value, pages);
  const mine = [...(await cluster.keysByPrimary(prefix)).values()]
    .flat()
    .filter((k) => !known.has(k));
  const key = mine[0];
  if (!key || !set.ok || !stored.ok) {
    const redirect = findRedirect(errorTexts(ctx, pages));
    const observations = pages.map(withoutBody).filter(below500);
    if (redirect)
      return {
        status: "fail",
        summary:
          "the visitor's session was not found before any slot moved: the app's Redis answered MOVED",
        causeId: "not-cluster-aware",
        cause: NOT_CLUSTER_AWARE,
        hint: CLUSTER_HINT,
        evidence: [`the app was told: ${redirect}`],
        confidence: "confirmed",
        observations,
      };
    return {
      status: "fail",
      summary:
        "the visitor's session did not reach the lab's Redis Cluster, so there was no slot to move",
      causeId: "not-in-redis",
      cause: "the session is not kept in the Redis Cluster handed to the app",
      observations,
    };
  }
  const slot = await cluster.slotOf(key);
  const primaries = await cluster.primaries();
  const holder = primaries.find((p) => p.slots.some(([x, y]) => slot >= x && slot <= y));
  const to = primaries.find((p) => p !== holder)?.address;
  if (!to) throw new CannotRunError("the lab's Redis Cluster has a single primary", "no-redis");
  const reads = Math.max(2, ctx.instances.length);
  // Graded from here: the requests made while the slot moved, and after.
  const probes: ReshardProbe[] = [];
  let current = value;
  const visit = async (phase: ReshardProbe["phase"]) => {
    for (let i = 0; i < reads; i++) probes.push(await probe(a, phase, "/", current, pages));
    current = ctx.token();
    probes.push(await probe(a, phase, `/session/set/${current}`, current, pages));
    probes.push(await probe(a, phase, "/", current, pages));
  };
  const from = await cluster.migrateSlot(slot, to, () => visit("while"));
  await visit("after");
  const redirect = findRedirect(errorTexts(ctx, pages));
  const verdict = gradeResharding({ slot, from, to, probes, redirect });
  return { ...verdict, observations: pages.map(withoutBody).filter(below500) };
}
