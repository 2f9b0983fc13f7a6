import { SHARED_STORE_HINT } from "../diagnosis/hints.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, readAll, visibility } from "./reads.js";

/** A value unset through one instance is gone from every instance. */
export async function unset(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const value = ctx.token();
  const set = await a.get(`/session/set/${value}`, [value]);
  const removed = await a.get("/session/unset/", [value]);
  const reads = await readAll(a, ctx.reads, [value]);
  const verdict = gradeUnset({ unsetOn: removed.port, reads, value, instances: ctx.instances });
  return {
    ...verdict,
    instances: visibility(reads, value, ctx.instances, "any"),
    observations: [set, removed, ...reads],
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
    hint: SHARED_STORE_HINT,
  };
}
