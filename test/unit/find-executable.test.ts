import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExecutable } from "../../src/cluster/command.js";

/** --cmd's program is looked for as Windows looks for it: with PATHEXT's extensions (executable
 * bits set only so that this Unix machine, which checks them, finds the files too). */
describe("findExecutable on Windows", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "session-lab-exe-"));
    await writeFile(join(dir, "node.exe"), "", { mode: 0o755 });
    await writeFile(join(dir, "npm.cmd"), "", { mode: 0o755 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["node", "node.exe"],
    ["npm", "npm.cmd"],
    ["node.exe", "node.exe"],
  ])("%s is %s on PATH", async (program, file) => {
    expect(await findExecutable(program, `C:\\nowhere;${dir}`, dir, true, ".COM;.EXE;.CMD")).toBe(
      join(dir, file),
    );
  });

  it("finds nothing for a program that is not there, and nothing without the extension on Unix", async () => {
    expect(await findExecutable("python", dir, dir, true, ".EXE")).toBeUndefined();
    expect(await findExecutable("node", dir, dir, false)).toBeUndefined();
  });
});
