import { describe, expect, it } from "vitest";
import { diagnoseStartFailure } from "../../src/diagnosis/start-failure.js";

const instance = { index: 2, port: 5002 };

describe("diagnoseStartFailure", () => {
  it.each([
    [
      { kind: "timeout" as const },
      "Instance 2 on :5002 did not answer HTTP within 15 s.",
      /APP_PORT \(5002/,
    ],
    [
      {
        kind: "exited" as const,
        code: 1,
        lastLines: ["Error: listen EADDRINUSE: address already in use :::3000"],
      },
      "Instance 2 on :5002 exited with code 1 before it answered.",
      /listen on APP_PORT \(5002\)/,
    ],
    [
      {
        kind: "exited" as const,
        code: 1,
        lastLines: ["Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'redis'"],
      },
      "Instance 2 on :5002 exited with code 1 before it answered.",
      /import could not be found/,
    ],
    [
      { kind: "exited" as const, code: 1, lastLines: ["SyntaxError: Unexpected token '}'"] },
      "Instance 2 on :5002 exited with code 1 before it answered.",
      /syntax error/,
    ],
    [
      { kind: "exited" as const, code: null, signal: "SIGKILL", lastLines: ["booting…"] },
      "Instance 2 on :5002 was killed by SIGKILL before it answered.",
      /last lines of its log/,
    ],
    // With no log at all, no log is pointed to (`--cmd "exit 3"`, `--cmd true`).
    [
      { kind: "exited" as const, code: null, signal: "SIGKILL" },
      "Instance 2 on :5002 was killed by SIGKILL before it answered, and printed nothing.",
      /terminal of your own to see why/,
    ],
    [
      { kind: "exited" as const, code: 3 },
      "Instance 2 on :5002 exited with code 3 before it answered, and printed nothing.",
      /terminal of your own to see why/,
    ],
    [
      { kind: "exited" as const, code: 0 },
      "Instance 2 on :5002 exited with code 0 before it answered, and printed nothing.",
      /keep it running, not return/,
    ],
  ])("%o", (seen, message, hint) => {
    const result = diagnoseStartFailure({ instance, timeoutMs: 15_000, lastLines: [], ...seen });
    expect(result.message).toBe(message);
    expect(result.hint).toMatch(hint);
  });
});
