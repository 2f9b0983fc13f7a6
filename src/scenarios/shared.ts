import { SHARED_STORE_HINT } from "../diagnosis/hints.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, readAll, visibility } from "./reads.js";

/** A value set through one instance is seen through every instance. */
export async function shared(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const value = ctx.token();
  const set = await ctx.set(a, value);
  const reads = await readAll(a, ctx.reads, [value]);
  const verdict = gradeShared({ setOn: set.port, reads, value, instances: ctx.instances });
  ctx.keep({ client: a, value, observations: [set, ...reads] });
  return {
    ...verdict,
    instances: visibility(reads, value, ctx.instances),
    observations: [set, ...reads],
  };
}

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
    hint: SHARED_STORE_HINT,
  };
}
