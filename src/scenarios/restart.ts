import { SHARED_STORE_HINT } from "../diagnosis/hints.js";
import { isDelete, isWrite } from "../diagnosis/observations.js";
import { explainRestart } from "../diagnosis/restart.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, readAll, visibility } from "./reads.js";

/** A value every instance shares outlives restarting them all. */
export async function restart(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  if (!ctx.restart) {
    return {
      status: "skipped",
      summary: "skipped: the lab did not start these instances, so it cannot restart them",
      observations: [],
    };
  }
  const a = ctx.client("A");
  const value = ctx.token();
  const set = await ctx.set(a, value);
  // Where the session is in Redis, looked up while the reads go on: compared after the restart.
  // Its time to live is read from here: a key that expired since is gone sooner than this says.
  const lookedAt = Date.now();
  const keyBeforeLookup = ctx.findSession?.(a).catch(() => undefined);
  const before = await readAll(a, ctx.reads, [value]);
  ctx.keep({ client: a, value, observations: [set, ...before] });
  // Only a value every instance already shares can show whether it outlives a restart.
  if (!before.every((r) => r.shows === value)) {
    return {
      ...gradeRestart({ before, after: [], value, instances: ctx.instances }),
      instances: visibility(before, value, ctx.instances),
      observations: [set, ...before],
    };
  }
  const keyBefore = await keyBeforeLookup;
  // The instances about to stop: tie what they sent to them while they still hold their
  // connections (afterwards their ports may be someone else's).
  await ctx.observer?.touches();
  const cursor = ctx.observer?.cursor();
  const shortest = a.jar
    .lifetimes()
    .filter((l) => l.ms !== undefined)
    .sort((x, y) => (x.ms ?? 0) - (y.ms ?? 0))[0];
  await ctx.restart();
  // The old connections are gone and their ports free for others: learn the new ones.
  await ctx.observer?.learn();
  const after = await readAll(a, ctx.reads, [value]);
  let verdict = gradeRestart({ before: [set, ...before], after, value, instances: ctx.instances });
  if (verdict.status === "fail") {
    const keyAfter = keyBefore && (await ctx.findSession?.(a).catch(() => undefined));
    const elapsed = Date.now() - lookedAt;
    const watched =
      ctx.observer && cursor !== undefined
        ? {
            deletes: (await ctx.observer.touchesSince(cursor)).filter(isDelete),
            wroteSession: (a.stored?.touches ?? []).some(isWrite),
          }
        : undefined;
    verdict = {
      ...verdict,
      ...explainRestart(keyBefore, keyAfter, ctx.redisLabel, elapsed, watched, shortest),
    };
  }
  return {
    ...verdict,
    instances: visibility(after, value, ctx.instances),
    observations: [set, ...before, ...after],
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
      hint: SHARED_STORE_HINT,
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
