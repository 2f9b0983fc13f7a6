import { RedisUnavailableError } from "../errors.js";
import { CannotRunError, type ScenarioClient } from "./client.js";
import { gradeEvidence, gradeIsolation, gradeRestart, gradeShared, gradeUnset } from "./grade.js";
import type { Observation, ScenarioId, ScenarioResult } from "./types.js";
import { visibility } from "./visibility.js";

/** What a scenario may use: clients through the proxy, and (when the lab owns them) the instances and Redis. */
export interface ScenarioContext {
  /** Ports of the instances, when known (the lab started them, or earlier reads revealed them). */
  readonly instances: readonly number[];
  /** How many reads make "every instance, twice over". */
  readonly reads: number;
  client(name: string): ScenarioClient;
  /** A fresh random value, unlikely to appear on any page by chance. */
  token(): string;
  /** Restarts every instance; absent when the lab did not start them. */
  readonly restart?: () => Promise<void>;
  /** Looks the client's session up in the Redis handed to the instances; absent when there is none. */
  readonly findInRedis?: (cookieValues: string[]) => Promise<string | undefined>;
  readonly redisLabel: string;
  /** Whether an earlier scenario passed (undefined when it did not run). */
  passed(id: ScenarioId): boolean | undefined;
}

/** What a scenario finds; the runner adds its id, title and time. */
export type ScenarioOutcome = Omit<ScenarioResult, "id" | "title" | "ms">;

async function readAll(
  client: ScenarioClient,
  count: number,
  values: string[],
): Promise<Observation[]> {
  const out: Observation[] = [];
  for (let i = 0; i < count; i++) out.push(strip(await client.get("/", values)));
  return out;
}

function strip(o: Observation & { body?: string }): Observation {
  const { body: _body, ...rest } = o;
  return rest;
}

async function shared(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  const reads = await readAll(a, ctx.reads, [value]);
  let verdict = gradeShared({ setOn: set.port, reads, value, instances: ctx.instances });
  // A shared store that some instance cannot read means the cookie, not the store, is at fault.
  if (
    verdict.status === "fail" &&
    verdict.cause === "each instance reads its own session store" &&
    ctx.findInRedis
  ) {
    const inRedis = (await ctx.findInRedis(a.jar.values()).catch(() => undefined)) !== undefined;
    if (inRedis)
      verdict = gradeShared({ setOn: set.port, reads, value, instances: ctx.instances, inRedis });
  }
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
  const before = await readAll(a, ctx.reads, [value]);
  // Only a value every instance already shares can show whether it outlives a restart.
  if (!before.every((r) => r.shows === value)) {
    return {
      ...gradeRestart({ before, after: [], value, instances: ctx.instances }),
      instances: visibility(before, value, ctx.instances),
      observations: [set, ...before],
    };
  }
  await ctx.restart();
  const after = await readAll(a, ctx.reads, [value]);
  const verdict = gradeRestart({
    before: [set, ...before],
    after,
    value,
    instances: ctx.instances,
  });
  return {
    ...verdict,
    instances: visibility(after, value, ctx.instances),
    observations: [set, ...before, ...after],
  };
}

async function storeEvidence(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  if (!ctx.findInRedis) {
    throw new CannotRunError("there is no Redis to look in: pass --redis-url (or set REDIS_URL)");
  }
  const a = ctx.client("A");
  // A session the app has just written, so the lab knows which cookie to look for.
  const value = ctx.token();
  const set = strip(await a.get(`/session/set/${value}`, [value]));
  const cookies = a.jar.values();
  let foundKey: string | undefined;
  try {
    foundKey = cookies.length > 0 ? await ctx.findInRedis(cookies) : undefined;
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CannotRunError(error.message);
    throw error;
  }
  return {
    ...gradeEvidence({
      hasCookie: cookies.length > 0,
      foundKey,
      redis: ctx.redisLabel,
      sharedPassed: ctx.passed("shared"),
    }),
    observations: [set],
  };
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
};
