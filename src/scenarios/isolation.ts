import { PER_VISITOR_HINT, SHARED_STORE_HINT } from "../diagnosis/hints.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, readAll, visibility } from "./reads.js";

/** Two visitors each see only their own value. */
export async function isolation(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const b = ctx.client("B");
  const valueA = ctx.token();
  const valueB = ctx.token();
  const setA = await a.get(`/session/set/${valueA}`, [valueA, valueB]);
  const firstB = await readAll(b, ctx.reads, [valueA, valueB]);
  const setB = await ctx.set(b, valueB, [valueA, valueB]);
  const laterB = await readAll(b, ctx.reads, [valueA, valueB]);
  const readsA = await readAll(a, ctx.reads, [valueA, valueB]);
  ctx.keep({ client: b, value: valueB, observations: [setB, ...laterB] });
  const verdict = gradeIsolation({
    valueA,
    valueB,
    beforeB: firstB,
    afterB: laterB,
    readsA,
    instances: ctx.instances,
  });
  return {
    ...verdict,
    instances: visibility(laterB, valueB, ctx.instances),
    observations: [setA, ...firstB, setB, ...laterB, ...readsA],
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
      hint: PER_VISITOR_HINT,
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
      hint: SHARED_STORE_HINT,
    };
  }
  return {
    status: "pass",
    summary: "B never saw A's value, and B's own value was seen on every instance",
  };
}
