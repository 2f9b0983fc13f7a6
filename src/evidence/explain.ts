import type { ScenarioClient } from "../client/client.js";
import {
  type Diagnosis,
  diagnoseSplit,
  diagnoseUnshared,
  type SessionFacts,
} from "../diagnosis/session-split.js";
import type { CauseId, ScenarioOutcome, ScenarioResult } from "../model/results.js";
import { type EvidenceSources, gatherSessionFacts, type SessionSample } from "./session-facts.js";

/** New simulated browsers through the proxy, for the experiments. */
export interface Visitors {
  readonly instances: readonly number[];
  client(name: string): ScenarioClient;
  token(): string;
}

/** Failures that mean "the instances do not share the session", whose reason is looked for. */
const SPLIT = new Set<CauseId>(["own-store", "value-not-kept"]);

/**
 * Explains failures with evidence: the first time sessions turn out not to be shared (or
 * shared without the lab's Redis), the lab looks at the cookies, its Redis, the files the
 * app wrote and the cookie names per instance, once, and names the real cause. Later
 * failures of the same kind get the same explanation.
 */
export function diagnoseFailure(
  target: Omit<EvidenceSources, "since" | "instances">,
  ctx: Visitors,
  instances: readonly number[],
) {
  const since = Date.now();
  let split: Diagnosis | undefined;
  const facts = async (sample: SessionSample): Promise<SessionFacts> =>
    gatherSessionFacts(
      {
        redisUrl: target.redisUrl,
        redisLabel: target.redisLabel,
        sessionPrefix: target.sessionPrefix,
        appDir: target.appDir,
        since,
        instances,
      },
      sample,
      () => probeCookieNames(ctx),
    );
  return async (
    outcome: ScenarioOutcome,
    sample: SessionSample | undefined,
    earlier: readonly ScenarioResult[],
  ): Promise<ScenarioOutcome> => {
    if (outcome.status !== "fail" || !outcome.causeId) return outcome;
    if (SPLIT.has(outcome.causeId)) {
      if (!split && sample) split = diagnoseSplit(await facts(sample));
      return split ? explained(outcome, split) : outcome;
    }
    if (outcome.causeId === "not-in-redis" && sample) {
      const sharedPassed = earlier.find((r) => r.id === "shared")?.status === "pass";
      if (!sharedPassed) return split ? explained(outcome, split) : outcome;
      return explained(outcome, diagnoseUnshared(await facts(sample)));
    }
    return outcome;
  };
}

function explained(outcome: ScenarioOutcome, diagnosis: Diagnosis): ScenarioOutcome {
  return {
    ...outcome,
    causeId: diagnosis.causeId,
    cause: diagnosis.cause,
    hint: diagnosis.hint,
    evidence: [...(outcome.evidence ?? []), ...diagnosis.evidence],
  };
}

/** A fresh visitor sets a value twice: round-robin sends each to another instance. */
async function probeCookieNames(ctx: Visitors) {
  const probe = ctx.client("P");
  const seen = [];
  for (let i = 0; i < Math.max(2, ctx.instances.length); i++) {
    const o = await probe.get(`/session/set/${ctx.token()}`, []);
    seen.push({ port: o.port, names: [...o.setCookie] });
  }
  return seen;
}
