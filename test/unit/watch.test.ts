import { describe, expect, it } from "vitest";
import { isIgnoredChange } from "../../src/workspace/watch.js";

describe("isIgnoredChange", () => {
  it.each([
    ["app.mjs", false],
    ["lib/util.mjs", false],
    ["sessions/5001/abc.json", true],
    ["node_modules/x/index.js", true],
    [".app.mjs.swp", true],
    ["app.mjs~", true],
    ["4913", true],
    [".git/index", true],
  ])("%s ignored: %s", (file, ignored) => {
    expect(isIgnoredChange(file, ["sessions"])).toBe(ignored);
  });
});
