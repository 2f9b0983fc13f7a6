import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAUSE_IDS } from "../../src/model/results.js";

/** The ids in the first column of the README's causeId table (a row may name several). */
function documentedIds(readme: string): string[] {
  const lines = readme.split("\n");
  const header = lines.findIndex((l) => l.startsWith("| `causeId` |"));
  const ids: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const firstCell = line.split("|")[1] ?? "";
    for (const match of firstCell.matchAll(/`([a-z0-9-]+)`/g)) ids.push(match[1] as string);
  }
  return ids;
}

describe("the README's causeId table", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

  it("has one row for every causeId the check can report, and none for an id it cannot", () => {
    const documented = documentedIds(readme);
    expect(documented.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual([...CAUSE_IDS].sort());
  });

  it("reads the table's own rows, not ids mentioned elsewhere in the README", () => {
    expect(
      documentedIds(
        "| `causeId` | what |\n|---|---|\n| `own-store` | x |\n\nText naming `memory-store`.",
      ),
    ).toEqual(["own-store"]);
  });
});
