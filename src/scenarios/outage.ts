import { CannotRunError, type ScenarioClient } from "../client/client.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { readAll } from "./reads.js";

/** How long Redis stops answering (CLIENT PAUSE), and how long recovery may take. */
const PAUSE_MS = 3000;
const RECOVERY_MS = 10_000;
/** An answer during an outage must come this fast; one not there after HANG_MS hangs. */
const FAST_MS = 1000;
const HANG_MS = 2000;

/** One request during an outage: its status (0: no answer at all) and how long it took. */
export interface OutageAnswer {
  readonly phase: "paused" | "stopped";
  readonly status: number;
  readonly ms: number;
}

/** Grades the outage: fast 503s while Redis is away, no instance down, sessions back by themselves. */
export function gradeOutage(facts: {
  answers: readonly OutageAnswer[];
  /** Instances that exited during the outage. */
  down: readonly number[];
  /** How long after Redis returned the visitor saw its value again (undefined: not in time). */
  recoveryMs: number | undefined;
  /**
   * How long the site took to answer just before the outage (the median): "within 1 s" is
   * counted on top of it, so a machine that is slow for everything is not taken for a hang.
   */
  baselineMs?: number;
}): Verdict {
  const limit = FAST_MS + (facts.baselineMs ?? 0);
  const slow = facts.answers.find((a) => a.status === 0 || a.ms > limit);
  if (slow) {
    const how =
      slow.status === 0
        ? `got no answer within ${HANG_MS / 1000} s`
        : `took ${(slow.ms / 1000).toFixed(1)} s`;
    return {
      status: "fail",
      summary: `while Redis was ${slow.phase}, a request ${how}`,
      causeId: "hangs-without-redis",
      cause:
        "requests wait for Redis instead of failing fast: the Redis client queues commands until it is back",
      hint: "Fail fast: ioredis with `enableOfflineQueue: false`, `maxRetriesPerRequest: 0` (or 1) and a `commandTimeout` of a few hundred ms, and answer 503.",
    };
  }
  if (facts.down.length > 0) {
    return {
      status: "fail",
      summary: `instance${facts.down.length === 1 ? "" : "s"} on ${facts.down.map((p) => `:${p}`).join(", ")} exited while Redis was away`,
      causeId: "crashes-without-redis",
      cause: "an instance crashes when Redis goes away",
      hint: "Listen for the client's 'error' events (redis.on('error', ...)) and let express-session's errors reach an error handler that answers 503.",
    };
  }
  const wrong = facts.answers.find((a) => a.status !== 503);
  if (wrong) {
    return {
      status: "fail",
      summary: `while Redis was ${wrong.phase}, the site answered ${wrong.status}, not 503`,
      causeId: "error-not-503",
      cause: "the site does not say that the session service is down (503 Service Unavailable)",
      hint: 'Add an error handler after the routes: app.use((error, req, res, next) => res.status(503).send("The session service is down; try again in a moment.")).',
    };
  }
  if (facts.recoveryMs === undefined) {
    return {
      status: "fail",
      summary: `the visitor's value did not come back within ${RECOVERY_MS / 1000} s of Redis returning`,
      causeId: "no-recovery",
      cause: "the site does not recover by itself when Redis is back",
      hint: "Let the client reconnect (ioredis does, unless its retryStrategy gives up) and do not cache the failure.",
    };
  }
  return {
    status: "pass",
    summary: `503 within ${Math.max(...facts.answers.map((a) => a.ms))} ms while Redis was away; the session was back ${facts.recoveryMs} ms after Redis returned`,
  };
}

async function timed(
  client: ScenarioClient,
  phase: OutageAnswer["phase"],
): Promise<{ answer: OutageAnswer; seen?: Observation }> {
  const began = performance.now();
  try {
    const seen = await client.get("/", []);
    return {
      answer: { phase, status: seen.status, ms: Math.round(performance.now() - began) },
      seen,
    };
  } catch (error) {
    if (!(error instanceof CannotRunError) || /interrupted/.test(error.message)) throw error;
    return { answer: { phase, status: 0, ms: Math.round(performance.now() - began) } };
  }
}

export async function redisOutage(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const control = ctx.redisControl;
  if (!control) {
    throw new CannotRunError(
      "this exercise takes the lab's own Redis away, and there is none (--url?)",
      "no-redis",
    );
  }
  const a = ctx.client("A", HANG_MS);
  const value = ctx.token();
  const set = await a.get(`/session/set/${value}`, [value]);
  const before = await readAll(a, ctx.reads, [value]);
  const observations: Observation[] = [set, ...before];
  const answers: OutageAnswer[] = [];
  const record = (r: { answer: OutageAnswer; seen?: Observation }) => {
    answers.push(r.answer);
    if (r.seen) observations.push(r.seen);
  };

  await control.pause(PAUSE_MS);
  record(await timed(a, "paused"));
  await ctx.wait(PAUSE_MS);
  await control.stop();
  for (let i = 0; i < Math.max(2, ctx.instances.length); i++) {
    record(await timed(a, "stopped"));
    if (answers.at(-1)?.status === 0) break; // one hang says it; no need to wait out more
  }
  const down = ctx.down?.() ?? [];
  await control.start();

  const back = performance.now();
  let recoveryMs: number | undefined;
  while (performance.now() - back < RECOVERY_MS) {
    const [seen] = await readAll(a, 1, [value]).catch(() => []);
    if (seen) observations.push(seen);
    if (seen?.shows === value) {
      recoveryMs = Math.round(performance.now() - back);
      break;
    }
    await ctx.wait(200);
  }
  const baselineMs =
    [...before.map((o) => o.ms)].sort((x, y) => x - y)[Math.floor(before.length / 2)] ?? 0;
  return { ...gradeOutage({ answers, down, recoveryMs, baselineMs }), observations };
}
