import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { maskRedisUrl, parseRedisUrl } from "../../src/redis/url.js";
import { stripControl } from "../../src/report/strip.js";
import { isIgnoredChange } from "../../src/workspace/watch.js";

describe("stripControl", () => {
  it.each([
    ["plain text", "plain text"],
    ["\u001b[31mred\u001b[0m", "red"],
    ["\u001b]0;title\u0007after", "after"],
    ["bell\u0007 and\rreturn", "bell andreturn"],
    ["tab\tstays", "tab\tstays"],
  ])("%j -> %j", (input, output) => {
    expect(stripControl(input)).toBe(output);
  });
});

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

describe("Redis URLs", () => {
  it("masks the password", () => {
    expect(maskRedisUrl("redis://user:s3cret@cache.example:6380/2")).toBe(
      "redis://user:***@cache.example:6380/2",
    );
    expect(maskRedisUrl("rediss://:s3cret@cache.example")).toBe("rediss://:***@cache.example");
    expect(maskRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it.each(["http://localhost:6379", "not a url", "localhost:6379"])("rejects %s", (value) => {
    expect(() => parseRedisUrl(value, "--redis-url")).toThrow(UsageError);
  });
});
