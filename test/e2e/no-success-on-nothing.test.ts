import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { binPath, runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

/** The built CLI with stdout and stderr apart, as a script reading --json sees them. */
function runApart(args: string[], cwd: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("never success on nothing", () => {
  it("load --url against a dead port is an error: exit 2, how many requests failed", async () => {
    await using dir = await tempDir();
    const [dead] = await findFreePorts(1);
    const { code, output } = await runCli(
      ["load", "--url", `http://127.0.0.1:${dead}`, "--duration", "0.5", "-c", "2"],
      { cwd: dir.path },
    ).exited;
    expect(code).toBe(2);
    expect(output).toMatch(/✘ \d+ of \d+ requests failed: .*ECONNREFUSED/);
    expect(output).not.toMatch(/no session lost/);
  });

  it("load --url against a server that never answers is an error too", async () => {
    await using dir = await tempDir();
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const { code, output } = await runCli(
        ["load", "--url", `http://127.0.0.1:${port}`, "--duration", "0.2", "-c", "1"],
        { cwd: dir.path },
      ).exited;
      expect(code).toBe(2);
      expect(output).toMatch(/✘ 1 of 1 requests failed: .*did not answer within 5 s/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a Redis database the server does not have stops check and fails doctor, in one sentence", async () => {
    await using dir = await tempDir();
    const url = `${inject("redisUrl")}/999`;
    const checked = await runCli(["check", "--solution", "--redis-url", url], { cwd: dir.path })
      .exited;
    expect(checked.code).toBe(2);
    expect(checked.output).toMatch(/has no database 999/);
    const doctor = await runCli(["doctor", "--redis-url", url], { cwd: dir.path }).exited;
    expect(doctor.code).toBe(2);
    expect(doctor.output).toMatch(/✘ Redis .*has no database 999/);
  });

  it.each([
    ["an unreachable Redis", ["--solution", "--redis-url", "redis://127.0.0.1:1"], /unreachable/],
    ["a bad option", ["-n", "0"], /--instances must be between 1 and 32/],
    ["an unknown exercise", ["nope"], /There is no exercise called "nope"/],
    ["--port, which check does not take", ["--port", "7000"], /--port does not apply/],
  ])("check --json prints a document for %s", async (_name, args, cause) => {
    await using dir = await tempDir();
    const { code, stdout, stderr } = await runApart(["check", "--json", ...args], dir.path);
    expect(code).toBe(2);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ schema: "session-lab/check@3", verdict: "error", exitCode: 2 });
    expect(report.cause).toMatch(cause);
    expect(stderr).toMatch(cause);
  });

  it("doctor does not call a file a writable workspace", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "a-file");
    await writeFile(file, "");
    const { code, output } = await runCli(["doctor", "--dir", file], { cwd: dir.path }).exited;
    expect(code).toBe(2);
    // In start's own words: doctor judges a workspace as start does.
    expect(output).toMatch(/✘ workspace\s+--dir .*a-file is not a folder\./);
  });

  it("hint does not create a missing workspace", async () => {
    await using dir = await tempDir();
    const missing = join(dir.path, "nowhere");
    const { code, output } = await runCli(["hint", "--dir", missing], { cwd: dir.path }).exited;
    expect(code).toBe(0);
    expect(output).toMatch(/Hint 1\/\d+/);
    expect(existsSync(missing)).toBe(false);
  });

  it("an exercise is named by its id or number, not by any prefix such as 0", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["hint", "0"], { cwd: dir.path }).exited;
    expect(code).toBe(2);
    expect(output).toMatch(/There is no exercise called "0"/);
  });

  it("says which path it could not write, not that it failed unexpectedly", async () => {
    await using dir = await tempDir();
    const ws = join(dir.path, "ws");
    await runCli(["solution", "--apply", "--dir", ws], { cwd: dir.path }).exited;
    // The backups folder is a file: nothing can be backed up into it.
    await mkdir(join(ws, ".session-lab"), { recursive: true });
    await writeFile(join(ws, ".session-lab", "backups"), "");
    const { code, output } = await runCli(["reset", "--yes", "--dir", ws], { cwd: dir.path })
      .exited;
    expect(code).toBe(2);
    expect(output).toMatch(/✘ Could not write .*backups.*: /);
    expect(output).not.toMatch(/unexpectedly/);
  });
});
