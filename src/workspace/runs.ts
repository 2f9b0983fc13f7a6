import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { processStartTime } from "../processes/process-info.js";
import { labDir } from "./paths.js";

/** One process group a lab started, recognisable again by its start time. */
export interface RecordedProcess {
  readonly pgid: number;
  readonly start: string;
  readonly command: string;
}

/** What one running lab has started, in `.session-lab/runs/<runId>.json`. */
export interface RunRecord {
  /** The value of the run marker every process of the run carries in its environment. */
  readonly runId?: string;
  readonly labPid: number;
  readonly labStart: string;
  /** "start" for the lab an attendee works in; "private" for a check's or a load's own. */
  readonly kind?: "start" | "private";
  /** The exercise the lab runs. */
  readonly exercise?: string;
  processes: RecordedProcess[];
}

export function runsDir(workspace: string): string {
  return join(labDir(workspace), "runs");
}

/** Every run record of the workspace, with its file; undefined records could not be read. */
export async function readRunRecords(
  workspace: string,
): Promise<{ path: string; record: RunRecord | undefined }[]> {
  const dir = runsDir(workspace);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const path = join(dir, name);
    let record: RunRecord | undefined;
    try {
      record = JSON.parse(await readFile(path, "utf8")) as RunRecord;
    } catch {
      record = undefined;
    }
    out.push({ path, record });
  }
  return out;
}

/** Whether the lab that wrote the record still runs (the same process, not a reused pid). */
export async function labAlive(record: RunRecord): Promise<boolean> {
  return (await processStartTime(record.labPid)) === record.labStart;
}

/** A `start` running in this workspace right now (in another terminal), and its exercise. */
export interface RunningStart {
  readonly pid: number;
  readonly exercise: string;
}

/** The `start`s of other processes that run in this workspace now. */
export async function runningStarts(workspace: string): Promise<RunningStart[]> {
  const found: RunningStart[] = [];
  for (const { record } of await readRunRecords(workspace)) {
    if (record?.kind !== "start" || !record.exercise) continue;
    if (record.labPid === process.pid || !(await labAlive(record))) continue;
    found.push({ pid: record.labPid, exercise: record.exercise });
  }
  return found;
}
