import { describe, expect, inject, it } from "vitest";
import { runCli, runInTerminal } from "../support/cli.js";
import { sessionApp, tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, "g");

/** What a terminal shows: escapes gone, each line as the last carriage return left it. */
function screenLines(output: string): string[] {
  return output
    .replace(ANSI, "")
    .split("\n")
    .map((line) => line.replace(/\r$/, "").split("\r").at(-1) ?? "");
}

/** Lines wider than the terminal that are more than one unbreakable word. */
function overflowing(lines: string[], columns: number): string[] {
  return lines.filter((l) => [...l].length > columns && /\S\s+\S/.test(l.trim()));
}

const HINT_WORDS =
  "Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";

describe("text at the terminal is wrapped to its width, its indent kept", () => {
  it.each([60, 120])("check of the starter at %i columns", async (columns) => {
    await using dir = await tempDir();
    const redis = inject("redisUrl");
    const { code, output } = await runInTerminal(["check", "--redis-url", redis], {
      cwd: dir.path,
      columns,
    }).exited;
    expect(code).toBe(1);
    const lines = screenLines(output);
    expect(overflowing(lines, columns)).toEqual([]);
    // The cause's hint: its continuation lines start under its first word, and no word is cut.
    const first = lines.findIndex((l) => l.startsWith("      hint:  Keep the sessions"));
    expect(first).toBeGreaterThan(-1);
    const rest = lines.slice(first + 1).filter((l) => /^ {13}\S/.test(l));
    expect(rest.length).toBeGreaterThan(0);
    const hint = [lines[first] as string, ...rest]
      .map((l) => l.trim())
      .join(" ")
      .replace(/^hint:\s+/, "");
    expect(hint.startsWith(HINT_WORDS.slice(0, 40))).toBe(true);
    // An address is never broken in two.
    expect(output.replace(ANSI, "")).toContain(redis.replace(/\/\d+$/, ""));
  });

  it("hint at 60 columns: the hint under its indent, every word whole", async () => {
    await using dir = await tempDir();
    const { code, output } = await runInTerminal(["hint"], { cwd: dir.path, columns: 60 }).exited;
    expect(code).toBe(0);
    const lines = screenLines(output).filter(Boolean);
    expect(overflowing(lines, 60)).toEqual([]);
    expect(lines[0]).toMatch(/Hint 1\/4 for 01-shared-sessions:/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {3}\S/);
    const words = lines.slice(1).join(" ").split(/\s+/);
    for (const word of ["never", "heard", "http://127.0.0.1:5000/session/set/hello,"])
      expect(words).toContain(word);
  });

  it("not at a terminal, a line is a line: nothing wrapped", async () => {
    await using dir = await tempDir();
    const { output } = await runCli(["check", "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    }).exited;
    expect(output).toContain(`      hint:  ${HINT_WORDS}\n`);
  });
});

describe("a slow boot is not silent", () => {
  const slow = { FIXTURE_STORE: "redis", FIXTURE_BOOT_DELAY_MS: "1500" };

  it("check: a progress line while the instances boot, replaced in place", async () => {
    await using dir = await tempDir();
    const args = ["check", "--cmd", `node ${sessionApp}`, "--redis-url", inject("redisUrl")];
    const { code, output } = await runInTerminal(args, { cwd: dir.path, env: slow }).exited;
    expect(code).toBe(0);
    expect(output).toMatch(/booting 0\/2 · \d\.\d s/);
    // Written over itself, and gone before the boot's result.
    expect(output).toMatch(new RegExp(`\\r${ESC}\\[2K[^\\n]*booting`));
    const lines = screenLines(output);
    expect(lines.find((l) => /✔ boot/.test(l))).not.toMatch(/booting/);
    expect(lines.filter((l) => l.includes("booting"))).toEqual([]);
  });

  it("start: the same, before the banner", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runInTerminal(
      [
        "start",
        "--port",
        String(ports[0]),
        "--cmd",
        `node ${sessionApp}`,
        "--redis-url",
        inject("redisUrl"),
      ],
      { cwd: dir.path, env: slow },
    );
    await run.waitForOutput(/round-robin over 2 instances/);
    run.child.kill("SIGINT");
    await run.exited;
    expect(run.output()).toMatch(/booting 0\/2 · \d\.\d s/);
  });

  it("not at a terminal, no progress line", async () => {
    await using dir = await tempDir();
    const args = ["check", "--cmd", `node ${sessionApp}`, "--redis-url", inject("redisUrl")];
    const { output } = await runCli(args, { cwd: dir.path, env: slow }).exited;
    expect(output).not.toContain("booting");
  });
});

describe("--no-color and terminals without Unicode", () => {
  it("--no-color is accepted by every command, before or after it", async () => {
    await using dir = await tempDir();
    const redis = inject("redisUrl");
    const check = await runInTerminal(["check", "--solution", "--no-color", "--redis-url", redis], {
      cwd: dir.path,
    }).exited;
    expect(check.code).toBe(0);
    expect(check.output).toContain("✔ PASS");
    expect(check.output).not.toMatch(new RegExp(`${ESC}\\[\\d+m`));
    for (const args of [
      ["hint", "--no-color"],
      ["--no-color", "list"],
      ["doctor", "--no-color"],
    ]) {
      const { code, output } = await runCli(args, { cwd: dir.path, env: { REDIS_URL: redis } })
        .exited;
      expect(output).not.toContain("unknown option");
      expect([0, 2]).toContain(code);
    }
  });

  it("a locale that is not UTF-8 gets ASCII symbols", async () => {
    await using dir = await tempDir();
    const args = ["check", "--solution", "--redis-url", inject("redisUrl")];
    const env = { LANG: "C", LC_ALL: undefined, LC_CTYPE: undefined };
    const { code, output } = await runInTerminal(args, { cwd: dir.path, env }).exited;
    expect(code).toBe(0);
    const plain = output.replace(ANSI, "");
    expect(plain).toMatch(/^\+ PASS {2}sessions survive/m);
    expect(plain).toMatch(/^ {2}\+ boot/m);
    expect(plain).not.toMatch(/[✔✘➜💡⚠·…→]/u);
  });
});
