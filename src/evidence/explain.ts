import type { ScenarioClient } from "../client/client.js";
import type { SplitObservations, StoreObservations } from "../diagnosis/observations.js";
import {
  firstMatch,
  type ObservedDiagnosis,
  SPLIT_RULES,
  STORE_RULES,
} from "../diagnosis/observed.js";
import { diagnoseSplit, diagnoseUnshared } from "../diagnosis/session-split.js";
import type { ObservationInfo } from "../model/check-report.js";
import type {
  CauseId,
  Confidence,
  Experiment,
  ScenarioOutcome,
  ScenarioResult,
} from "../model/results.js";
import { redisAnswers } from "../redis/inspect.js";
import { type Bench, freshSets, replayCookie } from "./experiments.js";
import {
  cookiesCarry,
  type EvidenceSources,
  gatherSessionFacts,
  type SessionSample,
} from "./session-facts.js";

/** New simulated browsers through the proxy, for the probes. */
export interface Visitors {
  readonly instances: readonly number[];
  client(name: string): ScenarioClient;
  token(): string;
}

/** Failures that mean "the instances do not share the session", whose reason is looked for. */
const SPLIT = new Set<CauseId>(["own-store", "value-not-kept"]);

/** Causes the legacy evidence decides from what it saw, not from a cookie's format. */
const SEEN_WITHOUT_WATCHING = new Set<CauseId>(["cookie-not-returned", "cookie-name-mismatch"]);

type Explanation = ObservedDiagnosis & { readonly experiments: readonly Experiment[] };

/**
 * Explains failures: the first time sessions turn out not to be shared (or shared without the
 * lab's Redis), the lab runs its experiments once (the visitor's cookie replayed to each
 * instance, a new visitor's set on each, watched in Redis), and the rules name the cause from
 * what was seen, `confirmed`. Where it cannot watch Redis, it infers the cause from the
 * cookies, keys and files it finds, `likely`. Later failures of the same kind get the same
 * explanation.
 */
export function diagnoseFailure(
  target: Omit<EvidenceSources, "since" | "instances"> & { readonly expectedTtlMs?: number },
  visitors: Visitors,
  instances: readonly number[],
  bench: Bench | undefined,
  watching: ObservationInfo,
) {
  const since = Date.now();
  let split: Explanation | undefined;
  const sources = (): EvidenceSources => ({ ...target, since, instances });
  const legacyFacts = (sample: SessionSample) =>
    gatherSessionFacts(sources(), sample, () => probeCookieNames(visitors));
  const unwatched: Experiment[] = watching.watched
    ? []
    : [
        {
          name: "watch-redis",
          tried: `watched what the instances send ${target.redisLabel} (MONITOR)`,
          saw: `could not: ${watching.why ?? "unknown"}`,
        },
      ];

  const explainSplit = async (sample: SessionSample): Promise<Explanation> => {
    const facts = await legacyFacts(sample);
    if (bench) {
      const replay = await replayCookie(bench, sample.client, sample.value);
      const fresh = await freshSets(bench);
      const counts = await bench.observer.writeCounts();
      const setter = sample.client.stored ?? {
        port: sample.observations[0]?.port ?? null,
        touches: [],
      };
      const first = sample.observations[0];
      const observations: SplitObservations & { value: string } = {
        value: sample.value,
        redisLabel: target.redisLabel,
        labDb: bench.observer.labDb,
        setter,
        noCookie: (first?.setCookie.length ?? 0) === 0 && sample.client.jar.values().length === 0,
        ...(facts.cookieTrouble ? { cookieTrouble: facts.cookieTrouble } : {}),
        cookieNames: facts.cookieNames,
        replays: replay.replays,
        writes: [...counts].map(([port, count]) => ({ port, count })),
        shortTtlMs: target.expectedTtlMs === undefined ? 60_000 : target.expectedTtlMs / 2,
        fresh: fresh.fresh,
        files: facts.files,
      };
      const found = firstMatch(SPLIT_RULES, observations);
      if (found) return { ...found, experiments: [replay.experiment, fresh.experiment] };
    }
    const legacy = diagnoseSplit(facts);
    return { ...legacy, confidence: sureOf(legacy.causeId), experiments: unwatched };
  };

  const explainStore = async (sample: SessionSample): Promise<Explanation> => {
    const facts = await legacyFacts(sample);
    if (bench) {
      const counts = await bench.observer.writeCounts();
      const otherRedis = await findOtherRedis(bench, target.redisUrl);
      const observations: StoreObservations & { value: string } = {
        value: sample.value,
        redisLabel: target.redisLabel,
        labDb: bench.observer.labDb,
        setter: sample.client.stored ?? { port: null, touches: [] },
        instanceWrites: [...counts.values()].reduce((a, b) => a + b, 0),
        ...(otherRedis ? { otherRedis } : {}),
        cookieCarriesValue: cookiesCarry(sample.client, sample.value),
        files: facts.files,
      };
      const found = firstMatch(STORE_RULES, observations);
      if (found)
        return {
          ...found,
          experiments: [
            {
              name: "connections",
              tried: "looked at what else the instances are connected to",
              saw: otherRedis
                ? `:${otherRedis.port} is connected to ${otherRedis.address}, which answers PING`
                : "no connection to another Redis",
              data: { instanceWrites: observations.instanceWrites, otherRedis },
            },
          ],
        };
    }
    const legacy = diagnoseUnshared(facts);
    return { ...legacy, confidence: "likely", experiments: unwatched };
  };

  return async (
    outcome: ScenarioOutcome,
    sample: SessionSample | undefined,
    earlier: readonly ScenarioResult[],
  ): Promise<ScenarioOutcome> => {
    if (outcome.status !== "fail" || !outcome.causeId) return outcome;
    if (SPLIT.has(outcome.causeId)) {
      if (!split && sample) split = await explainSplit(sample);
      return split ? explained(outcome, split) : outcome;
    }
    if (outcome.causeId === "not-in-redis" && sample) {
      const sharedPassed = earlier.find((r) => r.id === "shared")?.status === "pass";
      if (!sharedPassed) return split ? explained(outcome, split) : outcome;
      return explained(outcome, await explainStore(sample));
    }
    return outcome;
  };
}

function sureOf(causeId: CauseId): Confidence {
  return SEEN_WITHOUT_WATCHING.has(causeId) ? "confirmed" : "likely";
}

function explained(outcome: ScenarioOutcome, diagnosis: Explanation): ScenarioOutcome {
  return {
    ...outcome,
    causeId: diagnosis.causeId,
    cause: diagnosis.cause,
    hint: diagnosis.hint,
    evidence: [...(outcome.evidence ?? []), ...diagnosis.evidence],
    confidence: diagnosis.confidence,
    experiments: diagnosis.experiments,
  };
}

/** A Redis other than the lab's that an instance is connected to: it answers PING. */
async function findOtherRedis(
  bench: Bench,
  labUrl: string | undefined,
): Promise<{ port: number; address: string } | undefined> {
  const ours = new Set(bench.instances.map((p) => `127.0.0.1:${p}`));
  ours.add(new URL(bench.proxyUrl).host);
  const remotes = (await bench.observer.remotes()).filter((r) => !ours.has(r.address));
  for (const remote of remotes.slice(0, 6)) {
    const url = `redis://${remote.address}`;
    if (labUrl && new URL(labUrl).host === remote.address) continue;
    if (await redisAnswers(url, 1000)) return remote;
  }
  return undefined;
}

/** A fresh visitor sets a value twice: round-robin sends each to another instance. */
async function probeCookieNames(visitors: Visitors) {
  const probe = visitors.client("P");
  const seen = [];
  for (let i = 0; i < Math.max(2, visitors.instances.length); i++) {
    const o = await probe.get(`/session/set/${visitors.token()}`, []);
    seen.push({ port: o.port, names: [...o.setCookie] });
  }
  return seen;
}
