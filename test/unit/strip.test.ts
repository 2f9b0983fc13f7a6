import { describe, expect, it } from "vitest";
import { stripControl } from "../../src/report/strip.js";

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
