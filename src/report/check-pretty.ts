import type { ChalkInstance } from "chalk";
import type { EventOf } from "../events.js";
import { typed } from "../invocation.js";
import type { CheckReport } from "../model/check-report.js";
import type { Observation, ScenarioResult } from "../model/results.js";
import { stripControl } from "./strip.js";

const MARKS = { pass: "✔", fail: "✘", error: "✘", skipped: "–" } as const;

/** How the per-instance line reads, per scenario: what "showed the value" means there. */
const SAW_WORDS: Partial<
  Record<ScenarioResult["id"], [good: string, bad: string, goodWhenSeen: boolean]>
> = {
  unset: ["cleared", "still shows it", false],
};

/**
 * The lines for one finished scenario. The first failure gets the request trace; later ones,
 * which usually share its cause, get their summary and cause only.
 */
export function scenarioLines(
  result: ScenarioResult,
  c: ChalkInstance,
  detailed: boolean,
): string[] {
  const colour = { pass: c.green, fail: c.red, error: c.red, skipped: c.gray }[result.status];
  const lines = [
    `  ${colour(MARKS[result.status])} ${result.id.padEnd(15)} ${stripControl(result.summary)}`,
  ];
  if (result.status !== "fail" && result.status !== "error") return lines;
  if (!detailed) {
    if (result.cause) lines.push(c.gray(`      cause: ${result.cause}`));
    return lines;
  }
  if (result.instances && result.instances.length > 0) {
    const [good, bad, goodWhenSeen] = SAW_WORDS[result.id] ?? ["saw it", "did not", true];
    const per = result.instances.map((i) =>
      i.saw === goodWhenSeen ? `:${i.port} ${c.green(good)}` : `:${i.port} ${c.red(bad)}`,
    );
    lines.push(`      per instance: ${per.join(" · ")}`);
  }
  const values = new Set(result.observations.map((o) => o.shows).filter(Boolean));
  const width = Math.max(0, ...result.observations.map((o) => o.path.length));
  for (const o of result.observations.slice(0, 14))
    lines.push(c.gray(`      ${traceLine(o, width, values)}`));
  if (result.observations.length > 14) {
    lines.push(
      c.gray(`      … ${result.observations.length - 14} more requests (--json lists them all)`),
    );
  }
  for (const line of (result.lastLines ?? []).slice(-10))
    lines.push(c.gray(`      │ ${stripControl(line)}`));
  if (result.cause)
    lines.push(
      `      ${c.bold("cause:")} ${result.cause}${result.confidence ? c.gray(` (${result.confidence})`) : ""}`,
    );
  for (const fact of result.evidence ?? [])
    lines.push(`      ${c.bold("evidence:")} ${stripControl(fact)}`);
  if (result.hint) lines.push(`      ${c.bold("hint:")}  ${result.hint}`);
  return lines;
}

function traceLine(o: Observation, width: number, values: Set<string>): string {
  // With one value in play "value" says it all; with two (isolation), name it.
  const seen = o.shows ? (values.size > 1 ? `shows ${o.shows}` : "shows the value") : "no value";
  const cookie = o.setCookie.length > 0 ? `  set-cookie ${o.setCookie.join(", ")}` : "";
  const status = o.status === 200 ? "" : ` ${o.status}`;
  return `${o.client}  GET ${stripControl(o.path).padEnd(width)}  → ${o.port ? `:${o.port}` : "?"}${status}  ${seen}${cookie}`;
}

/** The closing lines: advisories, then the verdict with the total time. */
export function verdictLines(
  report: CheckReport,
  c: ChalkInstance,
  hint?: EventOf<"check:end">["hint"],
): string[] {
  const lines = [""];
  if (report.observation?.watched === false && report.verdict === "fail")
    lines.push(
      `  ${c.yellow("⚠")} The lab could not watch what the instances sent Redis (${report.observation.why}): its causes are likely, not confirmed.`,
    );
  for (const a of report.advisories) lines.push(`  ${c.yellow("⚠")} advisory: ${a.message}`);
  if (report.advisories.length > 0) lines.push("");
  const seconds = `${(report.durationMs / 1000).toFixed(1)} s`;
  const n = report.target.instances.length;
  if (report.verdict === "pass") {
    lines.push(
      `${c.green.bold("✔ PASS")}  sessions survive across ${n} instance${n === 1 ? "" : "s"}${report.scenarios.some((s) => s.id === "restart" && s.status === "pass") ? " and restarts" : ""} (${seconds})`,
    );
  } else if (report.verdict === "fail") {
    lines.push(`${c.red.bold("✘ FAIL")}  ${report.cause ?? "sessions are broken"} (${seconds})`);
    lines.push(
      c.gray(
        hint && "key" in hint
          ? `   Stuck? Press ${hint.key} for the next hint.`
          : `   Stuck? \`${hint?.command ?? typed("hint")}\` shows the next hint.`,
      ),
    );
  } else {
    lines.push(
      `${c.red.bold("✘ COULD NOT RUN")}  ${report.cause ?? "the check could not run"} (${seconds})`,
    );
  }
  return lines;
}
