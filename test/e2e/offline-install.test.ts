import { execFile } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe("the offline tarball (npm run pack:workshop)", () => {
  it("installs with the registry unreachable, and grades the solution there", async () => {
    // `npm test` built dist/ already; building again here would rewrite it under other tests.
    const packed = await run(process.execPath, ["scripts/pack-workshop.mjs", "--no-build"], {
      cwd: root,
      timeout: 120_000,
    });
    // Two lines that say what was made and what to do with it, not npm's ~400 notices.
    const said = `${packed.stdout}${packed.stderr}`.trim().split("\n");
    expect(said.length).toBeLessThanOrEqual(3);
    expect(said.at(-2)).toMatch(
      /^✔ Wrote session-lab-[\d.]+-offline\.tgz \([\d.]+ MB, \d+ files, every dependency inside\)\.$/,
    );
    expect(said.at(-1)).toMatch(/npm install -g \.\/session-lab-[\d.]+-offline\.tgz$/);
    const tarball = (await readdir(root)).find((f) => f.endsWith("-offline.tgz"));
    expect(tarball).toBeDefined();
    await using dir = await tempDir();
    const [closed] = await findFreePorts(1);
    try {
      // A closed port as the registry, and --offline: only what is in the tarball can be used.
      const env = { ...process.env, npm_config_registry: `http://127.0.0.1:${closed}` };
      await run("npm", ["init", "-y"], { cwd: dir.path, env });
      await run(
        "npm",
        ["install", "--offline", "--no-audit", "--no-fund", join(root, tarball as string)],
        { cwd: dir.path, env, timeout: 120_000 },
      );
      const bin = join(dir.path, "node_modules", ".bin", "session-lab");
      const { stdout } = await run(
        bin,
        ["check", "--solution", "--json", "--redis-url", inject("redisUrl")],
        {
          cwd: dir.path,
          env,
          timeout: 60_000,
        },
      );
      expect(JSON.parse(stdout)).toMatchObject({ verdict: "pass", exitCode: 0 });
    } finally {
      await rm(join(root, tarball as string), { force: true });
    }
  }, 240_000);
});
