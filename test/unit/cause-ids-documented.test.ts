import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CAUSE_IDS } from "../../src/model/results.js";

describe("the README's causeId table", () => {
  it("documents every causeId the check can report", () => {
    const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf("| `causeId` |"));
    const missing = CAUSE_IDS.filter((id) => !table.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });
});
