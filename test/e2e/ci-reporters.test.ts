import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";

const schema = join(import.meta.dirname, "../fixtures/junit.xsd");

describe("reporters CI systems read", () => {
  it("junit: valid JUnit XML, one test case per scenario, the cause and evidence in the failure", async () => {
    await using dir = await tempDir();
    const { code } = await runCli(
      [
        "check",
        "--reporter",
        "junit",
        "--junit-file",
        "results.xml",
        "--redis-url",
        inject("redisUrl"),
      ],
      { cwd: dir.path },
    ).exited;
    expect(code).toBe(1);
    const file = join(dir.path, "results.xml");
    // xmllint (libxml2-utils, installed by npm run prerequisites) validates against the schema.
    execFileSync("xmllint", ["--noout", "--schema", schema, file], { stdio: "pipe" });
    const xml = await readFile(file, "utf8");
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toMatch(/<testsuites name="session-lab" tests="6" failures="5" errors="0"/);
    expect(xml).toMatch(
      /<failure message="own-store: each instance reads its own session store" type="own-store">set on :\d+, missing on :\d+\nevidence: session files written under sessions\/\d+\//,
    );
  });

  it("github: a job summary in GITHUB_STEP_SUMMARY and error annotations, next to --json", async () => {
    await using dir = await tempDir();
    const summaryFile = join(dir.path, "summary.md");
    await writeFile(summaryFile, "");
    const run = runCli(["check", "--reporter", "github", "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
      env: { GITHUB_STEP_SUMMARY: summaryFile },
    });
    const { code, output } = await run.exited;
    expect(code).toBe(1);
    const summary = await readFile(summaryFile, "utf8");
    expect(summary).toMatch(/^### session-lab check · 01-shared-sessions/);
    expect(summary).toMatch(
      /❌ \*\*fail\*\*: each instance reads its own session store \(`own-store`\)/,
    );
    expect(summary).toMatch(/\| ❌ \| `shared` \| set on :\d+, missing on :\d+ \| `own-store` \|/);
    expect(output).toMatch(
      /^::error title=session-lab shared \(own-store\)::each instance reads its own session store: set on :\d+, missing on :\d+/m,
    );
    expect(output).toMatch(/✘ FAIL/);
  });

  it("rejects a reporter it does not know, and creates no file", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["check", "--reporter", "tap"], { cwd: dir.path }).exited;
    expect(code).toBe(2);
    expect(output).toMatch(/--reporter tap is not one of: junit, github\./);
    expect(existsSync(join(dir.path, "workshop"))).toBe(false);
  });
});

describe("the workspace folder", () => {
  it("start, check and load make a missing workspace in an existing folder, and say so; hint never does", async () => {
    await using dir = await tempDir();
    const checked = await runCli(["check", "--dir", "new-ws", "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    }).exited;
    expect(checked.output).toMatch(/✔ Created the workspace folder new-ws\//);
    expect(existsSync(join(dir.path, "new-ws", "01-shared-sessions", "app.mjs"))).toBe(true);
    const typo = await runCli(["check", "--dir", "no/such/ws"], { cwd: dir.path }).exited;
    expect(typo.code).toBe(2);
    expect(typo.output).toMatch(/does not exist, and neither does/);
  });
});

describe("the Flask track without Flask", () => {
  it("check stops with exit 2 and the exact install line when the named Python lacks Flask", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(
      [
        "check",
        "01-shared-sessions-flask",
        "--python",
        process.execPath,
        "--redis-url",
        inject("redisUrl"),
      ],
      { cwd: dir.path },
    ).exited;
    expect(code).toBe(2);
    expect(output).toMatch(
      /cannot import flask, flask_session and redis, which this exercise needs\./,
    );
    expect(output).toMatch(
      /sudo apt-get install -y python3-flask python3-flask-session python3-redis/,
    );
  });
});
