import { RedisUnavailableError } from "../errors.js";
import type { RedisControl } from "../redis/discover.js";
import type { FoundSession } from "../redis/inspect.js";
import { CannotRunError, type ScenarioClient } from "./client.js";
import type { SessionSample } from "./evidence.js";
import { idleExpiry, slidingExpiry } from "./expiry.js";
import { gradeEvidence, gradeIsolation, gradeRestart, gradeShared, gradeUnset } from "./grade.js";
import { explainRestart, shortLifetime } from "./lifetime.js";
import { logoutEverywhere, logoutOne } from "./logout.js";
import { redisOutage } from "./outage.js";
import type { Observation, ScenarioId, ScenarioResult } from "./types.js";
import { visibility } from "./visibility.js";

/** What a scenario may use: clients through the proxy, and (when the lab owns them) the instances and Redis. */
export interface ScenarioContext {
  /** Ports of the instances, when known (the lab started them, or earlier reads revealed them). */
  readonly instances: readonly number[];
  /** How many reads make "every instance, twice over". */
  readonly reads: number;
  /** A new simulated browser; `timeoutMs` for one that must not wait as long as usual. */
  client(name: string, timeoutMs?: number): ScenarioClient;
  /** A fresh random value, unlikely to appear on any page by chance. */
  token(): string;
  /** Restarts every instance; absent when the lab did not start them. */
  readonly restart?: () => Promise<void>;
  /**
   * Looks the client's session up in the database of the Redis handed to the instances;
   * absent when there is none.
   */
  readonly findSession?: (client: ScenarioClient) => Promise<FoundSession | undefined>;
  readonly redisUrl: string | undefined;
  readonly redisLabel: string;
  /** The session lifetime the exercise asks for (none: a minute at least is expected). */
  readonly expectedTtlMs: number | undefined;
  /** Whether an earlier scenario passed (undefined when it did not run). */
  passed(id: ScenarioId): boolean | undefined;
  /** Keeps the visitor a failure is about, for the runner to explain it with evidence. */
  keep(sample: SessionSample): void;
  /** Waits (a scenario about time), and stops waiting when the check is interrupted. */
  wait(ms: number): Promise<void>;
  /** Makes the lab's own Redis unavailable and back (exercise 04); absent when it is not the lab's. */
  readonly redisControl?: RedisControl;
  /** Ports of the instances that are not running now (the lab's own cluster only). */
  readonly down?: () => number[];
}

/** What a scenario finds; the runner adds its id, title and time. */
export type ScenarioOutcome = Omit<ScenarioResult, "id" | "title" | "ms">;

export async function readAll(
  client: ScenarioClient,
  count: number,
  values: string[],
): Promise<Observation[]> {
  const out: Observation[] = [];
  for (let i = 0; i < count; i++) out.push(strip(await client.get("/", values)));
  return out;
}

export function strip(o: Observation & { body?: string }): Observation {
  const { body: _body, ...rest } = o;
  return rest;
}

async function shared(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  const reads = await readAll(a, ctx.reads, [value]);
  const verdict = gradeShared({ setOn: set.port, reads, value, instances: ctx.instances });
  ctx.keep({ client: a, value, observations: [set, ...reads] });
  return {
    ...verdict,
    instances: visibility(reads, value, ctx.instances),
    observations: [set, ...reads],
  };
}

async function unset(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  const removed = strip(await a.get("/session/unset/", [value]));
  const reads = await readAll(a, ctx.reads, [value]);
  const verdict = gradeUnset({ unsetOn: removed.port, reads, value, instances: ctx.instances });
  return {
    ...verdict,
    instances: visibility(reads, value, ctx.instances, "any"),
    observations: [set, removed, ...reads],
  };
}

async function isolation(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const b = ctx.client("B");
  const valueA = ctx.token();
  const valueB = ctx.token();
  const setA = strip(await a.get(`/session/set/${valueA}`, [valueA, valueB]));
  const firstB = await readAll(b, ctx.reads, [valueA, valueB]);
  const setB = strip(await b.get(`/session/set/${valueB}`, [valueA, valueB]));
  const laterB = await readAll(b, ctx.reads, [valueA, valueB]);
  const readsA = await readAll(a, ctx.reads, [valueA, valueB]);
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

async function restart(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  if (!ctx.restart) {
    return {
      status: "skipped",
      summary: "skipped: the lab did not start these instances, so it cannot restart them",
      observations: [],
    };
  }
  const a = ctx.client("A");
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  // Where the session is in Redis, looked up while the reads go on: compared after the restart.
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
  const restartBegan = Date.now();
  await ctx.restart();
  const after = await readAll(a, ctx.reads, [value]);
  let verdict = gradeRestart({ before: [set, ...before], after, value, instances: ctx.instances });
  if (verdict.status === "fail") {
    const keyAfter = keyBefore && (await ctx.findSession?.(a).catch(() => undefined));
    const elapsed = Date.now() - restartBegan;
    verdict = { ...verdict, ...explainRestart(keyBefore, keyAfter, ctx.redisLabel, elapsed) };
  }
  return {
    ...verdict,
    instances: visibility(after, value, ctx.instances),
    observations: [set, ...before, ...after],
  };
}

async function storeEvidence(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  if (!ctx.findSession) {
    throw new CannotRunError(
      "there is no Redis to look in: pass --redis-url (or set REDIS_URL)",
      "no-redis",
    );
  }
  const a = ctx.client("A");
  // A session the app has just written, so the lab knows which cookie to look for.
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  ctx.keep({ client: a, value, observations: [set] });
  let found: FoundSession | undefined;
  try {
    found = a.jar.values().length > 0 ? await ctx.findSession(a) : undefined;
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CannotRunError(error.message);
    throw error;
  }
  const verdict = gradeEvidence({
    hasCookie: a.jar.values().length > 0,
    foundKey: found?.key,
    redis: ctx.redisLabel,
    sharedPassed: ctx.passed("shared"),
  });
  if (verdict.status === "pass") {
    const short = await shortLifetime(ctx, a, value, found?.pttlMs ?? -1);
    if (short) return { ...short, observations: [set, ...short.observations] };
  }
  return { ...verdict, observations: [set] };
}

/** The scenarios that make requests; "boot" is the cluster coming up, graded by the runner. */
export const SCENARIOS: Record<
  Exclude<ScenarioId, "boot">,
  (ctx: ScenarioContext) => Promise<ScenarioOutcome>
> = {
  shared,
  unset,
  isolation,
  restart,
  "store-evidence": storeEvidence,
  "logout-everywhere": logoutEverywhere,
  "logout-one": logoutOne,
  "sliding-expiry": slidingExpiry,
  "idle-expiry": idleExpiry,
  "redis-outage": redisOutage,
};
