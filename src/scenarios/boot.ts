import { Agent } from "undici";
import { CannotRunError, ScenarioClient } from "../client/client.js";
import { elapsedSince } from "../model/check-report.js";
import { type CauseId, SCENARIO_TITLES, type ScenarioResult } from "../model/results.js";
import type { CheckTarget } from "./context.js";

/** The few words a failed boot's cause gets in the report's verdict line. */
const BOOT_CAUSES: Partial<Record<CauseId, string>> = {
  "app-did-not-start": "the app did not start",
  "never-listened": "the app never answered on its APP_PORT",
  "ignores-app-port": "the app listens on another port than APP_PORT",
  daemonized: "the app runs in the background (daemonized)",
};

/** The boot scenario of a cluster the lab started: every instance answered, in `ms`. */
export function bootPassed(ports: readonly number[], ms: number): ScenarioResult {
  return {
    id: "boot",
    title: SCENARIO_TITLES.boot,
    status: "pass",
    summary: `${ports.map((p) => `:${p}`).join(", ")} answered in ${ms} ms`,
    observations: [],
    ms,
  };
}

/** The boot scenario when an instance did not come up: the start error, its hint and log. */
export function bootFailed(
  error: { message: string; hint: string; lastLines: readonly string[]; causeId: CauseId },
  ms: number,
): ScenarioResult {
  return {
    id: "boot",
    title: SCENARIO_TITLES.boot,
    status: "error",
    summary: error.message,
    causeId: error.causeId,
    cause: BOOT_CAUSES[error.causeId] ?? "the app did not start",
    hint: error.hint,
    lastLines: error.lastLines,
    observations: [],
    ms,
  };
}

/** The boot scenario of `c` in a running start: are the instances still up? */
export function bootOfRunning(ports: readonly number[], down: readonly number[]): ScenarioResult {
  const ok = down.length === 0;
  return {
    id: "boot",
    title: SCENARIO_TITLES.boot,
    status: ok ? "pass" : "error",
    summary: ok
      ? `${ports.map((p) => `:${p}`).join(", ")} are running`
      : `${down.map((p) => `:${p}`).join(", ")} not running`,
    ...(ok
      ? {}
      : {
          causeId: "instance-down",
          cause: "an instance is down",
          hint: "Press r to restart the instances, then c again.",
        }),
    observations: [],
    ms: 0,
  };
}

/**
 * "boot" for a deployment the lab did not start: GET / through it, twice per expected
 * instance, and list the instances that answered.
 */
export async function bootThroughUrl(target: CheckTarget): Promise<ScenarioResult> {
  const started = performance.now();
  const dispatcher = new Agent({ keepAliveTimeout: 5000 });
  const client = new ScenarioClient("A", target.proxyUrl, dispatcher, target.requestTimeoutMs);
  const observations = [];
  try {
    for (let i = 0; i < 2 * target.expectedInstances; i++) {
      observations.push(await client.get("/", []));
    }
  } catch (error) {
    if (!(error instanceof CannotRunError)) throw error;
    return {
      id: "boot",
      title: SCENARIO_TITLES.boot,
      status: "error",
      summary: `could not run: ${error.message}`,
      causeId: "no-answer",
      cause: `nothing answered at ${target.proxyUrl}`,
      hint: "Is the deployment running, and is the URL right?",
      observations,
      ms: elapsedSince(started),
    };
  } finally {
    await dispatcher.close();
  }
  const seen = [...new Set(observations.map((o) => o.port).filter((p): p is number => p !== null))];
  const bad = observations.find((o) => o.status >= 400);
  return {
    id: "boot",
    title: SCENARIO_TITLES.boot,
    status: bad ? "error" : "pass",
    summary: bad
      ? `GET / answered ${bad.status}`
      : seen.length > 0
        ? `${seen.map((p) => `:${p}`).join(", ")} answered through ${target.proxyUrl}`
        : `answered through ${target.proxyUrl} (no page named its port; per-instance results are unknown)`,
    ...(bad ? { causeId: "no-answer" as const, cause: "the deployment does not serve GET /" } : {}),
    observations,
    ms: elapsedSince(started),
  };
}
