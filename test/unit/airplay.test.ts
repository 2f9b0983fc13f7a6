import { describe, expect, it } from "vitest";
import { isAirPlayReceiver } from "../../src/lab/port-trouble.js";

describe("isAirPlayReceiver", () => {
  it.each([
    // As ps shows it on macOS 12 and later (it holds *:5000 and *:7000).
    ["/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter", true],
    ["ControlCenter", true],
    ["/usr/libexec/AirPlayXPCHelper", true],
    // lsof's short name alone is not enough, and neither is a lookalike.
    ["ControlCe", false],
    ["node /Users/ada/ControlCenterDemo/app.js", false],
    ["node app.mjs", false],
    ["python3 -m http.server 5000", false],
  ])("%s: %s", (command, expected) => {
    expect(isAirPlayReceiver(command)).toBe(expected);
  });
});
