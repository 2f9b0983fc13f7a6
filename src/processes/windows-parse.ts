/**
 * Parsers of what Windows' own tools print. Every one goes by column, never by a word of the
 * text, which Windows translates ("LISTENING" is "ABHÖREN" in German, "ÉCOUTE" in French)
 * and writes in the console's code page.
 */

export interface NetstatEndpoint {
  readonly address: string;
  readonly port: number;
}

/** One TCP row of `netstat -ano`. */
export interface NetstatRow {
  readonly local: NetstatEndpoint;
  readonly remote: NetstatEndpoint;
  /** 0 for a socket no process holds any more (TIME_WAIT). */
  readonly pid: number;
  /**
   * A listening socket: its foreign address is "0.0.0.0:0" or "[::]:0", whatever the state
   * column says in the machine's language.
   */
  readonly listening: boolean;
}

/**
 * Parses `netstat -ano`: a title, a header (both translated), then one socket a line,
 * "Proto Local Foreign State PID" (UDP rows have no state). Only TCP rows are kept: the first
 * column is the protocol, the second and third the addresses, the last the pid; whatever
 * stands between (the state, in any language, even of two words) is not read.
 */
export function parseNetstat(text: string): NetstatRow[] {
  const rows: NetstatRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || !/^TCP(v6)?$/i.test(fields[0] as string)) continue;
    const local = parseEndpoint(fields[1] as string);
    const remote = parseEndpoint(fields[2] as string);
    const pidText = fields.at(-1) as string;
    if (!local || !remote || !/^\d+$/.test(pidText)) continue;
    rows.push({ local, remote, pid: Number(pidText), listening: remote.port === 0 });
  }
  return rows;
}

/** "127.0.0.1:5000", "[::1]:5000", "[fe80::1%7]:5000" (the port after the last colon). */
function parseEndpoint(text: string): NetstatEndpoint | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { address: match[1] ?? match[2] ?? "", port };
}

/**
 * Parses CSV as Windows' tools write it (`tasklist /fo csv`, PowerShell's ConvertTo-Csv):
 * every field in double quotes, a quote inside doubled, a field may hold a line break.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ",") {
      record.push(field);
      field = "";
      any = true;
    } else if (c === "\n" || c === "\r") {
      if (any || field !== "") record.push(field);
      if (record.length > 0) records.push(record);
      record = [];
      field = "";
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== "") record.push(field);
  if (record.length > 0) records.push(record);
  return records;
}

/** One row of `tasklist /fo csv /nh`. */
export interface TasklistRow {
  /** The image name, "node.exe". */
  readonly name: string;
  readonly pid: number;
  /** The working set in KiB, read from "45,678 K", "45.678 K" or "45 678 Ko" alike. */
  readonly memoryKb: number | undefined;
}

/**
 * Parses `tasklist /fo csv /nh`: "Image Name","PID","Session Name","Session#","Mem Usage" by
 * position. The line tasklist prints when nothing matches ("INFO: No tasks are running ...",
 * translated) is no CSV record with a pid, and so gives no row.
 */
export function parseTasklist(text: string): TasklistRow[] {
  const rows: TasklistRow[] = [];
  for (const record of parseCsv(text)) {
    const [name, pid, , , memory] = record;
    if (!name || !pid || !/^\d+$/.test(pid)) continue;
    const digits = (memory ?? "").replace(/\D/g, "");
    rows.push({ name, pid: Number(pid), memoryKb: digits ? Number(digits) : undefined });
  }
  return rows;
}

/** One process of `Get-CimInstance Win32_Process | Select-Object ... | ConvertTo-Csv`. */
export interface CimProcessRow {
  readonly pid: number;
  readonly ppid: number;
  /** The command line, or the image name when Windows does not tell it (system processes). */
  readonly command: string;
}

/**
 * Parses PowerShell's CSV of Win32_Process (ProcessId, ParentProcessId, Name, CommandLine), by
 * the header's names, which PowerShell never translates. A "#TYPE" line (Windows PowerShell
 * without -NoTypeInformation) is skipped.
 */
export function parseCimProcesses(text: string): CimProcessRow[] {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0]?.startsWith("#")));
  const header = records.shift() ?? [];
  const column = (name: string) => header.indexOf(name);
  const [pidAt, ppidAt, nameAt, lineAt] = [
    column("ProcessId"),
    column("ParentProcessId"),
    column("Name"),
    column("CommandLine"),
  ];
  if (pidAt < 0 || ppidAt < 0) return [];
  const rows: CimProcessRow[] = [];
  for (const record of records) {
    const pid = record[pidAt] ?? "";
    const ppid = record[ppidAt] ?? "";
    if (!/^\d+$/.test(pid) || !/^\d+$/.test(ppid)) continue;
    const command = (record[lineAt] ?? "").trim() || (record[nameAt] ?? "").trim();
    rows.push({ pid: Number(pid), ppid: Number(ppid), command });
  }
  return rows;
}

/**
 * What `taskkill /pid N /T /F` did, by its exit code: 0 it ended the tree; 128 there was no
 * such process (already gone); anything else it could not (access denied: 1).
 */
export function taskkillOutcome(code: number | null): "stopped" | "gone" | "failed" {
  if (code === 0) return "stopped";
  if (code === 128) return "gone";
  return "failed";
}

/** Parses a number PowerShell printed alone (a start time as file time): undefined otherwise. */
export function parseWindowsStartTime(text: string): string | undefined {
  return /^\s*(\d+)\s*$/.exec(text)?.[1];
}
