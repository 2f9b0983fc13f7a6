import type { CheckReport } from "../model/check-report.js";

/**
 * A check as JUnit XML, the format GitHub Classroom, GitLab and Jenkins read: one test suite
 * per exercise, one test case per scenario, the cause and its evidence in the failure.
 */
export function junitXml(report: CheckReport): string {
  const count = (status: string) => report.scenarios.filter((s) => s.status === status).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const suite = report.exercise.id || "session-lab";
  const cases = report.scenarios.map((s) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(`${s.id}: ${s.title}`)}" time="${seconds(s.ms)}"`;
    const details = [
      s.summary,
      ...(s.evidence ?? []).map((e) => `evidence: ${e}`),
      ...(s.hint ? [`hint: ${s.hint}`] : []),
    ].join("\n");
    const message = xml(
      s.causeId ? `${s.causeId}: ${s.cause ?? s.summary}` : (s.cause ?? s.summary),
    );
    if (s.status === "fail")
      return `${open}>\n      <failure message="${message}" type="${xml(s.causeId ?? "fail")}">${xml(details)}</failure>\n    </testcase>`;
    if (s.status === "error")
      return `${open}>\n      <error message="${message}" type="${xml(s.causeId ?? "error")}">${xml(details)}</error>\n    </testcase>`;
    if (s.status === "skipped")
      return `${open}>\n      <skipped message="${xml(s.summary)}"/>\n    </testcase>`;
    return `${open}/>`;
  });
  const totals = `tests="${report.scenarios.length}" failures="${count("fail")}" errors="${count("error")}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="session-lab" ${totals} time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${xml(suite)}" ${totals} skipped="${count("skipped")}" time="${seconds(report.durationMs)}" timestamp="${report.finishedAt.slice(0, 19)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

/** Text as XML character data or an attribute value; characters XML 1.0 cannot hold go. */
function xml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML forbids is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
  );
}
