import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pollUntil } from "../poll.js";
import { stopMarked } from "../processes/marker.js";
import { groupAlive, processStartTime } from "../processes/process-info.js";
import { addGroupRecorder, signalGroup } from "../processes/registry.js";
import { labAlive, type RunRecord, readRunRecords, runsDir } from "../workspace/runs.js";

/** What a run record says of the lab beside its processes: which kind, which exercise. */
export type RunAbout = Pick<RunRecord, "kind" | "exercise">;

/**
 * Writes down every process group this lab starts, so that a later run can stop them if this
 * one is killed (SIGKILL gives it no chance to clean up). `close()` removes the record.
 */
export async function startRunRecord(
  workspace: string,
  about: RunAbout = {},
): Promise<{
  readonly runId: string;
  add(pgid: number, command: string): Promise<void>;
  remove(pgid: number): Promise<void>;
  close(): Promise<void>;
}> {
  const dir = runsDir(workspace);
  await mkdir(dir, { recursive: true });
  const runId = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const file = join(dir, `${runId}.json`);
  const record: RunRecord = {
    runId,
    labPid: process.pid,
    labStart: (await processStartTime(process.pid)) ?? "",
    ...about,
    processes: [],
  };
  // Writes are chained, so the file always ends up holding the latest list.
  let writing = Promise.resolve();
  const save = () => {
    writing = writing.then(async () => {
      const temp = `${file}.tmp`;
      await writeFile(temp, JSON.stringify(record));
      await rename(temp, file);
    });
    return writing.catch(() => {});
  };
  await save();
  return {
    runId,
    async add(pgid, command) {
      const start = await processStartTime(pgid);
      if (start === undefined) return;
      record.processes.push({ pgid, start, command });
      await save();
    },
    async remove(pgid) {
      record.processes = record.processes.filter((p) => p.pgid !== pgid);
      await save();
    },
    async close() {
      await writing.catch(() => {});
      await rm(file, { force: true });
    },
  };
}

/**
 * Finds what earlier labs of this workspace left running when they were killed, checks each
 * process is still the one they started (never a reused pid), and stops it. A record whose
 * lab is still alive (a `start` running in another terminal) is left alone.
 */
export async function stopLeftovers(workspace: string): Promise<Leftover[]> {
  const stopped: Leftover[] = [];
  for (const { path, record } of await readRunRecords(workspace)) {
    if (!record) {
      await rm(path, { force: true });
      continue;
    }
    if (await labAlive(record)) continue;
    for (const p of record.processes) {
      if ((await processStartTime(p.pgid)) !== p.start) continue;
      signalGroup(p.pgid, "SIGKILL");
      stopped.push({ pid: p.pgid, command: p.command, reason: "killed-run" });
    }
    // And what its apps started outside their groups (daemons), by the run's marker.
    if (record.runId) {
      for (const p of await stopMarked(record.runId, 0))
        stopped.push({ pid: p.pid, command: p.command, reason: "escaped" });
    }
    // Their ports are free only once every process of their groups is gone (a shell's child
    // included): wait for that, briefly, rather than race it.
    await pollUntil(
      async () => {
        for (const p of record.processes) if (await groupAlive(p.pgid)) return false;
        return true;
      },
      { timeoutMs: 5000, everyMs: 10 },
    );
    await rm(path, { force: true });
  }
  return stopped;
}

/**
 * What start and check do first: stop what killed runs left behind (reporting each), then
 * write down everything this run starts. Returns the function that ends the record.
 */
export async function beginRun(
  workspace: string,
  onLeftover: (leftover: Leftover) => void,
  about: RunAbout = {},
): Promise<{ runId: string; close: () => Promise<void> }> {
  for (const leftover of await stopLeftovers(workspace)) onLeftover(leftover);
  const record = await startRunRecord(workspace, about);
  const stopRecording = addGroupRecorder(record);
  return {
    runId: record.runId,
    close: async () => {
      stopRecording();
      await record.close();
    },
  };
}

/** A process an earlier run left: a group of a killed run, or a daemon that escaped one. */
export interface Leftover {
  readonly pid: number;
  readonly command: string;
  readonly reason: "killed-run" | "escaped";
}
