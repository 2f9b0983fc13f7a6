import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { answersHttp } from "../../src/cluster/readiness.js";
import { findFreePorts } from "./ports.js";

/** A real HAProxy in round-robin mode in front of `backends`, as in the original exercise. */
export async function startHaproxy(
  dir: string,
  backends: readonly number[],
): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const [port] = await findFreePorts(1);
  const config = join(dir, "haproxy.cfg");
  await writeFile(
    config,
    [
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 10s",
      "  timeout server 10s",
      "frontend lab",
      `  bind 127.0.0.1:${port}`,
      "  default_backend apps",
      "backend apps",
      "  balance roundrobin",
      ...backends.map((p, i) => `  server app${i + 1} 127.0.0.1:${p}`),
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("haproxy", ["-f", config, "-db"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (e) =>
      reject(
        new Error(
          `haproxy could not start (${e.message}): install it with apt-get install -y haproxy`,
        ),
      ),
    );
    child.once("exit", (code) => reject(new Error(`haproxy exited with code ${code}: ${stderr}`)));
  });
  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([answersHttp("127.0.0.1", port as number, 500), failed]))) {
    if (Date.now() > deadline) throw new Error(`haproxy did not answer on :${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    async [Symbol.asyncDispose]() {
      child.removeAllListeners("exit");
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
