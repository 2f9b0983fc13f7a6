import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processStartTime } from "../processes/process-info.js";

/** Written in each folder: which lab made it, so that a later lab removes it once that one is gone. */
const OWNER_FILE = "owner.json";

/**
 * A folder in the OS's temp folder for the files of a Redis set-up of the lab's own (a
 * Cluster's nodes-*.conf, a Sentinel set-up's configs), named `<prefix>…` and marked with the
 * lab that made it. Folders of the same prefix whose lab is gone (SIGKILLed: its close never
 * ran; its processes are stopped by the next run of its workspace) are removed first.
 */
export async function ownedTempDir(prefix: string): Promise<string> {
  await removeOrphanedDirs(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const owner = { pid: process.pid, start: (await processStartTime(process.pid)) ?? "" };
  await writeFile(join(dir, OWNER_FILE), JSON.stringify(owner));
  return dir;
}

/**
 * Removes the `<prefix>…` folders whose lab is gone. A folder without an owner file, or whose
 * owner still runs (the same pid, started at the same time), is left alone.
 */
export async function removeOrphanedDirs(prefix: string): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(tmpdir(), name);
    const owner = await readFile(join(dir, OWNER_FILE), "utf8")
      .then((text) => JSON.parse(text) as { pid?: unknown; start?: unknown })
      .catch(() => undefined);
    if (!owner || typeof owner.pid !== "number" || typeof owner.start !== "string" || !owner.start)
      continue;
    if ((await processStartTime(owner.pid)) === owner.start) continue;
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
