#!/usr/bin/env node
// npm run pack:workshop: session-lab-<version>-offline.tgz, a tarball with every runtime
// dependency inside (npm's bundleDependencies), so that a room with no network can install
// it: `npm install -g ./session-lab-<version>-offline.tgz`, or `npx --yes ./…-offline.tgz start`.
// Builds in a staging folder; the repository is left as it is, but for the tarball.
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
// npm's notices (one line per file of the tarball, ~400 of them) are not news: warnings and
// errors still show.
const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--loglevel=warn"], {
    cwd,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });

// --no-build: dist/ is fresh already (the test suite packs while other tests run the CLI).
if (!process.argv.includes("--no-build")) npm(["run", "build"], root);
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const stage = await mkdtemp(join(tmpdir(), "session-lab-pack-"));
try {
  for (const entry of [
    ...pkg.files.filter((f) => !f.startsWith("!")),
    "package.json",
    "package-lock.json",
    "README.md",
  ])
    await cp(join(root, entry), join(stage, entry), {
      recursive: true,
      filter: (src) => !/[\\/]sessions([\\/]|$)/.test(src),
    });
  // The tarball carries its dependencies, and installing it runs nothing of ours.
  const staged = {
    ...pkg,
    bundleDependencies: Object.keys(pkg.dependencies),
    scripts: { start: pkg.scripts.start },
  };
  delete staged.devDependencies;
  await writeFile(join(stage, "package.json"), `${JSON.stringify(staged, null, 2)}\n`);
  npm(["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], stage);
  const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", root], stage));
  const offline = packed.filename.replace(/\.tgz$/, "-offline.tgz");
  await rename(join(root, packed.filename), join(root, offline));
  const megabytes = ((await stat(join(root, offline))).size / 1024 / 1024).toFixed(1);
  console.log(
    `✔ Wrote ${offline} (${megabytes} MB, ${packed.entryCount} files, every dependency inside).`,
  );
  console.log(`  Hand it out; attendees install it with no network: npm install -g ./${offline}`);
} finally {
  await rm(stage, { recursive: true, force: true });
}
