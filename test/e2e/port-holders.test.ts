import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

/** Where macOS keeps the program that holds port 5000 for AirPlay. */
const CONTROL_CENTER = "ControlCenter.app/Contents/MacOS/ControlCenter";

/**
 * A program listening on every address of `port` (as ControlCenter does), run as `name`: a
 * link to Node, so that its command line is that path, as ps, lsof and /proc report it.
 */
async function holdPort(dir: string, name: string, port: number) {
  const program = join(dir, name);
  await mkdir(join(program, ".."), { recursive: true });
  await symlink(process.execPath, program);
  const child: ChildProcess = spawn(
    program,
    ["-e", `require("node:net").createServer().listen(${port}, () => console.log("up"))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise((resolve) => child.stdout?.once("data", resolve));
  return {
    pid: child.pid as number,
    async [Symbol.asyncDispose]() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

describe.each([
  ["Linux /proc", ""],
  ["ps + lsof", "unix"],
])("a port the lab cannot take, named through %s", (_, platform) => {
  const env = { SESSION_LAB_PLATFORM: platform };

  it("macOS's AirPlay Receiver on the proxy port: one line, both ways out", async () => {
    await using dir = await tempDir();
    const [port] = await findFreePorts(3);
    await using airplay = await holdPort(dir.path, CONTROL_CENTER, port as number);
    const { code, output } = await runCli(["start", "--port", String(port)], {
      cwd: dir.path,
      env,
    }).exited;
    expect(code).toBe(2);
    expect(output).toContain(
      `✘ Port ${port} (the proxy) is held by macOS's AirPlay Receiver (ControlCenter, pid ${airplay.pid}): turn it off (System Settings › General › AirDrop & Handoff › AirPlay Receiver), or use another port: --port 6000.\n`,
    );
  });

  it("another program: named by pid and command line", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    await using holder = await holdPort(dir.path, "bin/some-server", ports[1] as number);
    const { code, output } = await runCli(["start", "--port", String(ports[0])], {
      cwd: dir.path,
      env,
    }).exited;
    expect(code).toBe(2);
    expect(output).toContain(
      `✘ Port ${ports[1]} (instance 1) is already in use by pid ${holder.pid} (${join(dir.path, "bin/some-server")} -e `,
    );
  });
});
