import { beforeAll, describe, expect, it } from "vitest";
import {
  hangingIndent,
  loadWrapping,
  supportsUnicode,
  toAscii,
  wrapLine,
} from "../../src/report/terminal.js";

beforeAll(loadWrapping);

const HINT =
  "      hint:  Keep the sessions in a store every instance shares: Redis, through connect-redis and the REDIS_URL the lab passes to every instance.";

/** Every line of `text` fits in `columns`, unless it is one word too long to break. */
function fits(text: string, columns: number): boolean {
  return text.split("\n").every((l) => l.length <= columns || !/\S \S/.test(l.trim()));
}

describe("wrapLine", () => {
  it.each([60, 120])("wraps a cause's hint at %i columns under its own column", (columns) => {
    const wrapped = wrapLine(HINT, columns);
    const lines = wrapped.split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(fits(wrapped, columns)).toBe(true);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {13}\S/);
    // Words are whole: joining the lines gives the text back.
    expect(lines.map((l) => l.trim()).join(" ")).toBe(HINT.trim());
  });

  it("never cuts a word, an address above all", () => {
    const line =
      "   Open http://127.0.0.1:5000/session/set/hello, then reload http://127.0.0.1:5000/ a few times and watch the port; the instance that did not store the value has never heard of your session.";
    const wrapped = wrapLine(line, 60);
    for (const word of ["http://127.0.0.1:5000/session/set/hello,", "never", "heard"])
      expect(wrapped.split(/\s+/)).toContain(word);
    for (const l of wrapped.split("\n")) expect(l.startsWith("   ")).toBe(true);
  });

  it("keeps colours across the break and does not count them as width", () => {
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    const line = `${red("✘ FAIL")}  ${"each instance reads its own session store ".repeat(3)}(0.5 s)`;
    const wrapped = wrapLine(line, 60);
    const plain = wrapped.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
    expect(fits(plain, 60)).toBe(true);
    for (const l of plain.split("\n").slice(1)) expect(l).toMatch(/^ {8}\S/);
  });

  it("leaves a line that fits alone", () => {
    expect(wrapLine("  ✔ boot            :1, :2 answered in 264 ms", 60)).toBe(
      "  ✔ boot            :1, :2 answered in 264 ms",
    );
  });

  it.each([
    ["  ✔ boot            :17315, :17316 answered", 20],
    ["✘ FAIL  each instance reads", 8],
    ["      evidence: session files written", 16],
    ["      cause: each instance", 13],
    ["app-1 | listening on", 8],
    ["⚠ Another program listens", 2],
    ["   Stuck? `session-lab hint` shows", 3],
    ["💡 Hint 1/4 for 01-shared-sessions:", 3],
  ])("%j continues at column %i", (line, column) => {
    expect(hangingIndent(line, 120)).toBe(column);
  });
});

describe("symbols", () => {
  it.each([
    [{ LANG: "en_US.UTF-8" }, true],
    [{ LANG: "C.utf8" }, true],
    [{ LC_ALL: "C", LANG: "en_US.UTF-8" }, false],
    [{ LANG: "C" }, false],
    [{ LANG: "POSIX" }, false],
    [{ LC_CTYPE: "en_US.ISO-8859-1" }, false],
    [{ LANG: "en_US.UTF-8", TERM: "linux" }, false],
    [{}, true],
  ])("%j: Unicode %s", (env, unicode) => {
    expect(supportsUnicode(env, "linux")).toBe(unicode);
  });

  it("spells the lab's symbols in ASCII, and leaves a name's accents", () => {
    expect(toAscii("✔ PASS · ✘ FAIL … ➜ Open → 💡 Hint ⚠ Zoë")).toBe(
      "+ PASS - x FAIL ... > Open -> * Hint ! Zoë",
    );
  });
});
