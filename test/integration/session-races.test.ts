import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck, tempDir } from "../support/lab.js";

const APP = join(import.meta.dirname, "../fixtures/session-races-app.mjs");

/**
 * Exercise 07 fixed one step at a time: each step fails with the next cause, confirmed by
 * what Redis showed, and the last passes. The races are provoked, never waited for by luck.
 */
describe("exercise 07 step by step: each fix uncovers the next cause", () => {
  it.each([
    ["", "", { scenario: "lost-update", causeId: "lost-update" }],
    ["cart", "", { scenario: "logout-undone", causeId: "logout-undone" }],
    ["cart,logout", "", { scenario: "fixation", causeId: "session-fixation" }],
    ["cart,logout", "old-session-kept", { scenario: "fixation", causeId: "old-session-accepted" }],
    ["cart,logout,login", "", "pass"],
  ] as const)("fixed [%s] %s", async (fixes, mistake, expected) => {
    await using dir = await tempDir();
    const { report } = await runCheck(
      dir.path,
      { exercise: "07", cmd: `node ${APP}` },
      { FIXTURE_FIXED: fixes, FIXTURE_MISTAKE: mistake },
    );
    const first = report.scenarios.find((s) => s.status !== "pass");
    const seen = `${report.verdict} ${first?.id ?? ""} ${first?.causeId ?? ""}: ${first?.summary ?? ""}`;
    if (expected === "pass") {
      expect(report.verdict, seen).toBe("pass");
      return;
    }
    expect(report.verdict, seen).toBe("fail");
    expect(first?.id, seen).toBe(expected.scenario);
    expect(first?.causeId, seen).toBe(expected.causeId);
    expect(first?.confidence, seen).toBe("confirmed");
  });
});
