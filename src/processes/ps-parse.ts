/**
 * Parsers of what `ps` prints, the same on procps (Linux), macOS and the BSDs when every
 * column is asked for with `-o name=` (no header line, the command line last).
 */

/** One line of `ps -A -ww -o pid= -o ppid= -o pgid= -o stat= -o command=`. */
export interface PsRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** The state letters, "Ss", "R+", "Z" (a zombie) ... */
  readonly state: string;
  /** The command line as ps shows it (arguments joined by spaces). */
  readonly command: string;
}

/** The columns the table is asked for, in order (each with an empty header: no header line). */
export const PS_TABLE_COLUMNS = ["pid=", "ppid=", "pgid=", "stat=", "command="] as const;

/** Parses the table; lines that do not fit (a header, a blank line) are skipped. */
export function parsePsTable(text: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s?(.*)$/.exec(line.replace(/\r$/, ""));
    if (!match) continue;
    rows.push({
      pid: Number(match[1]),
      ppid: Number(match[2]),
      pgid: Number(match[3]),
      state: match[4] as string,
      command: (match[5] as string).trim(),
    });
  }
  return rows;
}

/** Parses `ps -A -o pid= -o ppid=`: one "pid ppid" pair a line, into pid → parent pid. */
export function parsePsParents(text: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match) parents.set(Number(match[1]), Number(match[2]));
  }
  return parents;
}

/**
 * The pids whose line of an environment listing holds `entry` ("NAME=value") as a word of its
 * own. The listing is `ps axeww -o pid= -o command=` (procps, BSD: the environment follows
 * the arguments) or `ps -A -E -ww -o pid= -o command=` (macOS), one process a line. ps shows
 * the environment only of processes it may look into (the same user's, or all for root);
 * the others show their arguments alone, and so are never matched.
 */
export function pidsWithEnvEntry(text: string, entry: string): number[] {
  const pids: number[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s(.*)$/.exec(line.replace(/\r$/, ""));
    if (!match) continue;
    if ((match[2] as string).split(/\s+/).includes(entry)) pids.push(Number(match[1]));
  }
  return pids;
}

/**
 * Parses `ps -o stat= -o lstart= -p <pid>`: "Ss   Wed Dec  2 21:19:19 2026". The start time,
 * as text (one process's identity, with its pid); undefined for a zombie or no process.
 */
export function parsePsStart(text: string): string | undefined {
  const match = /^\s*(\S+)\s+(\S.*?)\s*$/m.exec(text);
  if (!match || (match[1] as string).startsWith("Z")) return undefined;
  return match[2];
}

/** Parses `ps -o rss= -p <pid>`: the resident memory in KiB; undefined when there is none. */
export function parsePsRss(text: string): number | undefined {
  const match = /^\s*(\d+)\s*$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
