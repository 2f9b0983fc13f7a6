import { spawn } from "node:child_process";
import { request } from "undici";
import { describe, expect, inject, it } from "vitest";
import { binPath } from "../support/cli.js";
import { fixtureApp, tempDir } from "../support/lab.js";
import { markedProcesses } from "../support/leak-guard.js";
import { busyPorts, findFreePorts } from "../support/ports.js";

/**
 * Runs the built CLI with its stdout read until `closeAfter` matches (at once when undefined),
 * then closed, as `| head` closes it; stderr is kept.
 */
function withStdoutClosed(args: string[], cwd: string, closeAfter?: RegExp) {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const closed = new Promise<void>((resolve) => {
    const close = () => {
      child.stdout.destroy();
      resolve();
    };
    if (!closeAfter) return close();
    child.stdout.on("data", (d) => {
      stdout += d;
      if (closeAfter.test(stdout)) close();
    });
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => resolve(code)),
  );
  return { closed, exited, stderr: () => stderr };
}

describe("the output's reader goes away (`session-lab … | head`)", () => {
  it("list ends quietly with its own exit code, not 2 and `write EPIPE`", async () => {
    await using dir = await tempDir();
    const run = withStdoutClosed(["list", "--dir", dir.path], dir.path);
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe("");
  });

  it("start stops at the next line it cannot write (a request's trace), cleans up and exits 0 quietly", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = withStdoutClosed(
      [
        "start",
        "--port",
        String(ports[0]),
        "--cmd",
        `node ${fixtureApp}`,
        "--redis-url",
        inject("redisUrl"),
        "--no-watch",
      ],
      dir.path,
      /round-robin over 2 instances/,
    );
    await run.closed;
    // Requests through the proxy print trace lines, into the closed pipe.
    let code: number | null | undefined;
    void run.exited.then((c) => {
      code = c;
    });
    while (code === undefined) {
      await request(`http://127.0.0.1:${ports[0]}/`)
        .then((res) => res.body.dump())
        .catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(0);
    expect(run.stderr()).not.toMatch(/EPIPE|failed unexpectedly/);
    expect(await busyPorts(ports)).toEqual([]);
    expect(await markedProcesses()).toEqual([]);
  });
});
