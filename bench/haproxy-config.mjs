// The HAProxy of the benchmark and of its reference grader: one thread, round-robin over
// `backends` on 127.0.0.1, as the original exercise's load balancer.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes the config to a new temp folder; returns the file and the folder (to remove). */
export async function writeHaproxyConfig(port, backends) {
  const dir = await mkdtemp(join(tmpdir(), "session-lab-bench-"));
  const file = join(dir, "haproxy.cfg");
  await writeFile(
    file,
    [
      "global",
      "  nbthread 1",
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 30s",
      "  timeout server 30s",
      "frontend bench",
      `  bind 127.0.0.1:${port}`,
      "  default_backend apps",
      "backend apps",
      "  balance roundrobin",
      ...backends.map((p, i) => `  server app${i + 1} 127.0.0.1:${p}`),
      "",
    ].join("\n"),
  );
  return { file, dir };
}
