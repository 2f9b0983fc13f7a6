import { describe, expect, it } from "vitest";
import { parseClusterOptions } from "../../src/cli/options.js";
import { UsageError } from "../../src/errors.js";
import { instancePorts } from "../../src/processes/ports.js";

describe("parseClusterOptions", () => {
  it("defaults to 2 instances behind port 5000, a ./workshop workspace and a 15 s timeout", () => {
    expect(parseClusterOptions({}, "/home/ada")).toEqual({
      instances: 2,
      port: 5000,
      host: "127.0.0.1",
      dir: "/home/ada/workshop",
      cmd: undefined,
      solution: false,
      redisUrl: undefined,
      timeoutMs: 15_000,
      upstreamTimeoutMs: 30_000,
    });
  });

  it("resolves --dir against the current folder and reads numbers", () => {
    const parsed = parseClusterOptions(
      { instances: "4", port: "6000", dir: "../ws", timeout: "2.5", cmd: " python3 app.py " },
      "/home/ada/x",
    );
    expect(parsed).toMatchObject({
      instances: 4,
      port: 6000,
      dir: "/home/ada/ws",
      timeoutMs: 2500,
      cmd: "python3 app.py",
    });
  });

  it.each([
    [{ instances: "0" }, "--instances must be between 1 and 32, not 0."],
    [{ instances: "33" }, "--instances must be between 1 and 32, not 33."],
    [{ instances: "two" }, '--instances must be a whole number, not "two".'],
    [{ port: "0" }, "--port must be between 1 and 65535, not 0."],
    [{ port: "70000" }, "--port must be between 1 and 65535, not 70000."],
    [{ port: "65535" }, "--port 65535 leaves no room for 2 instance ports after it (up to 65535)."],
    [{ port: "50.5" }, '--port must be a whole number, not "50.5".'],
    [{ timeout: "0" }, "--timeout must be a number of seconds between 0 and 600, not 0."],
    [{ timeout: "soon" }, '--timeout must be a number, not "soon".'],
    [{ cmd: "  " }, "--cmd is empty."],
    [{ cmd: "node app.js", solution: true }, "--cmd and --solution cannot be used together."],
    [
      { upstreamTimeout: "0.0001" },
      "--upstream-timeout must be a number of seconds between 0.001 and 3600, not 0.0001.",
    ],
  ])("rejects %o with one sentence", (raw, message) => {
    let error: unknown;
    try {
      parseClusterOptions(raw, "/tmp");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).hint.length).toBeGreaterThan(0);
  });
});

describe("instancePorts", () => {
  it.each([
    [5000, 2, [5001, 5002]],
    [8080, 1, [8081]],
    [6000, 4, [6001, 6002, 6003, 6004]],
  ])("puts the instances of proxy :%i right after it", (proxy, n, expected) => {
    expect(instancePorts(proxy, n)).toEqual(expected);
  });
});
