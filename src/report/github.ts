import type { CheckReport } from "../model/check-report.js";

const MARKS = { pass: "✅", fail: "❌", error: "⚠️", skipped: "➖" } as const;

/**
 * A check for GitHub Actions: a Markdown job summary (for $GITHUB_STEP_SUMMARY) and one
 * error annotation per failing scenario (workflow commands), as vitest's github reporter does.
 */
export function githubReport(report: CheckReport): { summary: string; annotations: string[] } {
  const verdict =
    report.verdict === "pass"
      ? "✅ **pass**: sessions survive"
      : report.verdict === "fail"
        ? `❌ **fail**: ${report.cause ?? "sessions are broken"}${report.causeId ? ` (\`${report.causeId}\`)` : ""}`
        : `⚠️ **could not run**: ${report.cause ?? ""}`;
  const rows = report.scenarios.map(
    (s) =>
      `| ${MARKS[s.status]} | \`${s.id}\` | ${cell(s.summary)} | ${s.causeId ? `\`${s.causeId}\`` : ""} |`,
  );
  const evidence = report.scenarios.flatMap((s) => (s.evidence ?? []).map((e) => `- ${cell(e)}`));
  const summary = [
    `### session-lab check · ${report.exercise.id}`,
    "",
    verdict,
    "",
    "| | scenario | what happened | cause |",
    "|---|---|---|---|",
    ...rows,
    ...(evidence.length > 0 ? ["", "Evidence:", ...evidence] : []),
    "",
  ].join("\n");
  const annotations = report.scenarios
    .filter((s) => s.status === "fail" || s.status === "error")
    .map(
      (s) =>
        `::error title=${property(`session-lab ${s.id}${s.causeId ? ` (${s.causeId})` : ""}`)}::${data(`${s.cause ?? s.summary}: ${s.summary}${s.hint ? ` — ${s.hint}` : ""}`)}`,
    );
  return { summary, annotations };
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Escapes a workflow command's message, as @actions/core does. */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a workflow command's property (title=...), as @actions/core does. */
function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
