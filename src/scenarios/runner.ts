import { Agent } from "undici";
import { CannotRunError } from "../client/client.js";
import { checkInterrupted, throwIfInterrupted } from "../errors.js";
import type { Emit, EventOf } from "../events.js";
import { diagnoseFailure } from "../evidence/explain.js";
import { type Observer, openObserver } from "../evidence/observer.js";
import {
  buildCheckReport,
  type CheckReport,
  type CheckTargetInfo,
  elapsedSince,
  type ObservationInfo,
} from "../model/check-report.js";
import {
  type Advisory,
  SCENARIO_TITLES,
  type ScenarioId,
  type ScenarioResult,
} from "../model/results.js";
import { hintFor, type Track, trackOf } from "../model/track.js";
import type { CheckTarget, ScenarioContext, ScenarioOutcome } from "./context.js";
import { scenarioContext } from "./context.js";
import { SCENARIOS } from "./registry.js";

export interface ScenarioRun {
  readonly results: ScenarioResult[];
  readonly advisories: Advisory[];
  readonly observation: ObservationInfo;
}

/**
 * Runs the scenarios in order (after "boot", which the caller has graded), stopping at the
 * first that cannot run; calls `onResult` as each one ends.
 */
export async function runScenarios(
  target: CheckTarget,
  ids: readonly ScenarioId[],
  onResult: (result: ScenarioResult) => void,
  track: Track = "node",
): Promise<ScenarioRun> {
  const dispatcher = new Agent({ keepAliveTimeout: 5000, connections: 8 });
  const results: ScenarioResult[] = [];
  const advisories: Advisory[] = [];
  const instances = [...(target.instances ?? [])];
  const watching = await watchInstances(target);
  const observer = watching.observer;
  const { ctx, takeSample } = scenarioContext(target, dispatcher, instances, results, observer);
  const bench =
    observer && target.instanceUrl
      ? {
          observer,
          instances,
          instanceUrl: target.instanceUrl,
          proxyUrl: target.proxyUrl,
          dispatcher,
          timeoutMs: target.requestTimeoutMs,
          token: ctx.token,
          redisUrl: target.redisUrl,
        }
      : undefined;
  const diagnose = diagnoseFailure(target, ctx, instances, bench, watching.info);
  try {
    for (const id of ids) {
      if (id === "boot") continue;
      if (target.signal?.aborted) break;
      const started = performance.now();
      let result: ScenarioResult;
      try {
        const raw = await SCENARIOS[id](ctx);
        // The outage scenario asks for 503s: it grades its answers itself.
        const outcome =
          id === "redis-outage" ? raw : withNotReady(withServerErrors(raw, target), target);
        // A failure is explained with what the lab can find out beyond the pages.
        const explained = await diagnose(outcome, takeSample(), results);
        result = {
          id,
          title: SCENARIO_TITLES[id],
          ...explained,
          // The hint in the words of the exercise's track (Flask-Session, not connect-redis).
          hint: explained.hint === undefined ? undefined : hintFor(explained.hint, track),
          ms: elapsedSince(started),
        };
      } catch (error) {
        if (target.signal?.aborted) break;
        if (!(error instanceof CannotRunError)) throw error;
        result = {
          id,
          title: SCENARIO_TITLES[id],
          status: "error",
          summary: `could not run: ${error.message}`,
          causeId: error.causeId,
          cause: "the app did not answer through the proxy",
          hint: "Read the instances' log lines below; is every instance still running?",
          observations: [],
          lastLines: lastLinesOfAll(target, instances),
          ms: elapsedSince(started),
        };
      }
      // A scenario cut short by Ctrl-C did not finish: it has no result to show.
      if (target.signal?.aborted) break;
      // Learn instances as they answer, for a deployment the lab did not start.
      for (const o of result.observations)
        if (o.port !== null && !instances.includes(o.port)) instances.push(o.port);
      results.push(result);
      onResult(result);
      if (result.status === "error") break;
    }
    if (!results.some((r) => r.status === "error") && !target.signal?.aborted) {
      const xss = await checkEscaping(ctx).catch(() => undefined);
      if (xss) advisories.push(xss);
    }
  } finally {
    await observer?.close();
    await dispatcher.close();
  }
  return { results, advisories, observation: watching.info };
}

/**
 * Watches what the instances send the Redis handed to them, when the lab started them and
 * the server allows MONITOR; otherwise says why not (causes are then only likely).
 */
async function watchInstances(
  target: CheckTarget,
): Promise<{ observer?: Observer; info: ObservationInfo }> {
  if (!target.redisUrl) return { info: { watched: false, why: "there is no Redis to watch" } };
  if (!target.watched)
    return {
      info: {
        watched: false,
        why: "the lab did not start these instances, so it cannot tell them apart",
      },
    };
  const observer = await openObserver(target.redisUrl, target.watched, target.signal);
  if (observer.refused) {
    const why = observer.refused;
    await observer.close();
    return { info: { watched: false, why } };
  }
  return { observer, info: { watched: true } };
}

/** An app that answered 5xx failed the scenario, whatever else it showed. */
function withServerErrors(outcome: ScenarioOutcome, target: CheckTarget): ScenarioOutcome {
  const broken = outcome.observations.find((o) => o.status >= 500);
  if (!broken) return outcome;
  const where = broken.port ? ` on :${broken.port}` : "";
  return {
    ...outcome,
    status: "fail",
    summary: `GET ${broken.path} answered ${broken.status}${where}`,
    causeId: "app-error",
    cause: `the app failed while handling a request${where}`,
    hint: "Read the instance's log lines below for the error.",
    lastLines: broken.port && target.logOf ? target.logOf(broken.port) : undefined,
  };
}

/** What ioredis says of a command sent, without the offline queue, before it is connected. */
const NOT_READY = /Stream isn't writeable and enableOfflineQueue options is false/;

/**
 * A failure whose instance logged that its Redis client was not connected yet: the app took
 * requests too early. It shows as a 5xx, or as a value lost when the save behind a 200 failed.
 */
function withNotReady(outcome: ScenarioOutcome, target: CheckTarget): ScenarioOutcome {
  const { logOf } = target;
  if (outcome.status !== "fail" || !logOf) return outcome;
  const broken = outcome.observations.find((o) => o.status >= 500)?.port;
  for (const port of broken ? [broken] : (target.instances ?? [])) {
    const lastLines = logOf(port);
    const line = lastLines.find((l) => NOT_READY.test(l));
    if (!line) continue;
    return {
      ...outcome,
      causeId: "redis-not-ready",
      cause: `the app took requests before its Redis client was connected on :${port}: without the offline queue, ioredis fails every command until it is ready`,
      hint: 'Start listening once Redis is ready: `await new Promise((resolve) => redis.once("ready", resolve))` before `app.listen(...)` (with a timeout, in case Redis is down at start).',
      evidence: [`the instance's log: ${line.trim()}`],
      lastLines,
    };
  }
  return outcome;
}

function lastLinesOfAll(
  target: CheckTarget,
  instances: readonly number[],
): readonly string[] | undefined {
  if (!target.logOf) return undefined;
  const logOf = target.logOf;
  return instances.flatMap((port) =>
    logOf(port)
      .slice(-5)
      .map((line) => `:${port} | ${line}`),
  );
}

/** Advisory: does the page echo a value with HTML in it unescaped (reflected XSS)? */
async function checkEscaping(ctx: ScenarioContext): Promise<Advisory | undefined> {
  const probe = `<i>${ctx.token()}</i>`;
  const page = await ctx.client("X").get(`/session/set/${encodeURIComponent(probe)}`, [probe]);
  if (page.shows !== probe) return undefined;
  return {
    id: "reflected-xss",
    message: `the page shows a stored value unescaped${page.port ? ` (on :${page.port})` : ""}: a value with HTML in it runs in the browser (reflected XSS). Escape it before putting it in the page.`,
  };
}

export interface CheckRunOptions {
  readonly exercise: {
    readonly id: string;
    readonly title: string;
    readonly scenarios: readonly string[];
    /** Its track's language: the hints name that track's libraries. */
    readonly runtime?: string;
  };
  /** Where to send the requests; undefined when boot already failed. */
  readonly target: CheckTarget | undefined;
  readonly boot: ScenarioResult;
  /** When the check began (performance.now()), for its duration. */
  readonly began: number;
  readonly emit: Emit;
  readonly targetInfo: CheckTargetInfo;
  /** Ctrl-C or SIGTERM: nothing more is shown, and no verdict; InterruptedError is thrown. */
  readonly signal?: AbortSignal;
  /** Where the attendee finds the next hint, said under a failure. */
  readonly hint?: EventOf<"check:end">["hint"];
}

/**
 * Runs the exercise's scenarios after boot, emits each result and the final report. Shared
 * by `check` (a cluster of its own, or --url) and the c key of a running `start`.
 */
export async function runCheck(options: CheckRunOptions): Promise<CheckReport> {
  const { exercise, target, boot, emit } = options;
  const signal = options.signal ?? target?.signal;
  throwIfInterrupted(signal, checkInterrupted);
  emit({ type: "scenario", result: boot });
  const run =
    target && boot.status === "pass"
      ? await runScenarios(
          target,
          exercise.scenarios as readonly ScenarioId[],
          (result) => emit({ type: "scenario", result }),
          trackOf(exercise),
        )
      : { results: [], advisories: [], observation: undefined };
  // Half a run is no verdict: neither PASS nor FAIL is printed for it.
  throwIfInterrupted(signal, checkInterrupted);
  const report = buildCheckReport({
    exercise,
    target: options.targetInfo,
    instances: target?.instances ?? [],
    scenarios: [boot, ...run.results],
    advisories: run.advisories,
    ...(run.observation ? { observation: run.observation } : {}),
    durationMs: elapsedSince(options.began),
    finishedAt: new Date().toISOString(),
  });
  emit({ type: "check:end", report, ...(options.hint ? { hint: options.hint } : {}) });
  return report;
}
