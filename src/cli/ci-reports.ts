import { UsageError } from "../errors.js";
import type { CheckReport } from "../model/check-report.js";
import type { CliContext } from "./shared.js";

/** The CI reporters `--reporter` may name. */
const CI_REPORTERS = ["junit", "github"] as const;
export type CiReporter = (typeof CI_REPORTERS)[number];

export function parseReporters(names: readonly string[] | undefined): CiReporter[] {
  const out: CiReporter[] = [];
  for (const name of (names ?? []).flatMap((n) => n.split(","))) {
    if (!(CI_REPORTERS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--reporter ${name} is not one of: ${CI_REPORTERS.join(", ")}.`,
        "For example: --reporter junit --reporter github (the terminal report or --json stays as it is).",
      );
    }
    out.push(name as CiReporter);
  }
  return out;
}

/** Writes the JUnit file and the GitHub job summary and annotations, next to the usual report. */
export async function writeCiReports(
  context: CliContext,
  report: CheckReport,
  reporters: readonly CiReporter[],
  raw: { json?: boolean; junitFile?: string },
): Promise<void> {
  const { appendFile, writeFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  if (reporters.includes("junit")) {
    const { junitXml } = await import("../report/junit.js");
    await writeFile(
      resolve(context.cwd, raw.junitFile ?? "session-lab-junit.xml"),
      junitXml(report),
    );
  }
  if (reporters.includes("github")) {
    const { githubReport } = await import("../report/github.js");
    const { summary, annotations } = githubReport(report);
    const file = context.env.GITHUB_STEP_SUMMARY;
    if (file) await appendFile(file, summary);
    // Workflow commands are read from the output; with --json, stdout holds the document.
    const out = raw.json ? context.stderr : context.stdout;
    for (const line of annotations) out.write(`${line}\n`);
  }
}
