import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectInvocation } from "../../src/invocation.js";

const repoBin = join(import.meta.dirname, "../../bin/session-lab.js");

describe("detectInvocation", () => {
  it.each([
    ["inside the repository", repoBin, {}, "node bin/session-lab.js"],
    [
      "installed on PATH",
      "/usr/local/bin/session-lab",
      { PATH: "/usr/bin:/usr/local/bin" },
      "session-lab",
    ],
    [
      "through npx",
      "/home/ada/.npm/_npx/1a2b/node_modules/.bin/session-lab",
      { PATH: "/home/ada/.npm/_npx/1a2b/node_modules/.bin", npm_command: "exec" },
      "npx session-lab",
    ],
    [
      "a project's own install",
      "/home/ada/ws/node_modules/session-lab/bin/session-lab.js",
      { PATH: "/usr/bin" },
      "npx session-lab",
    ],
    ["anything else", undefined, {}, "session-lab"],
  ])("%s", (_name, script, env, expected) => {
    expect(detectInvocation(script, env as NodeJS.ProcessEnv)).toBe(expected);
  });
});
