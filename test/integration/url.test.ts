import { describe, expect, it } from "vitest";
import { check } from "../../src/commands/check.js";
import { startHaproxy } from "../support/haproxy.js";
import { labRunOptions, runStart, tempDir } from "../support/lab.js";

async function checkUrl(dir: string, url: string) {
  return check(labRunOptions(dir, { url }));
}

describe("check --url against a deployment the lab did not start (HAProxy, round-robin)", () => {
  it.each([
    [false, "fail", "each instance reads its own session store"],
    [true, "pass", undefined],
  ])("solution: %s -> %s", async (solution, verdict, cause) => {
    await using dir = await tempDir();
    const lab = await runStart({ dir: dir.path, solution, instances: 2 });
    try {
      await using haproxy = await startHaproxy(dir.path, lab.ports.slice(1));
      const report = await checkUrl(dir.path, haproxy.url);
      expect(report.verdict).toBe(verdict);
      expect(report.cause).toBe(cause);
      expect(report.target).toMatchObject({ kind: "url", url: haproxy.url });
      // The instances were read from the pages, since HAProxy adds no header of the lab's.
      expect(report.target.instances.map((i) => i.port)).toEqual(lab.ports.slice(1));
      const restart = report.scenarios.find((s) => s.id === "restart");
      expect(restart?.status).toBe("skipped");
      expect(restart?.summary).toMatch(/cannot restart them/);
    } finally {
      await lab.stop();
    }
  });

  it("exits 2 when nothing answers at the URL", async () => {
    await using dir = await tempDir();
    const report = await checkUrl(dir.path, "http://127.0.0.1:1/");
    expect(report.verdict).toBe("error");
    expect(report.exitCode).toBe(2);
    expect(report.scenarios[0]?.summary).toMatch(/could not run: GET \/ failed: ECONNREFUSED/);
  });
});
