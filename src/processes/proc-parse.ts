/** The fields of /proc/<pid>/stat the lab uses. */
export interface ProcStat {
  /** One letter: R running, S sleeping, D waiting on I/O, T stopped, Z zombie, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  /**
   * When it started (clock ticks since boot), as text: a pid and its start time name one
   * process, even after the pid is reused.
   */
  readonly startTime: string;
  /** The command name (comm): at most 15 characters, and it may hold spaces and ")". */
  readonly name: string;
}

/**
 * Parses /proc/<pid>/stat: "pid (name) state ppid pgrp ...". The name is whatever the
 * process chose, spaces and parentheses included, so the fields are read after the last ")".
 * Undefined for text that is not a stat line (the process was gone when it was read).
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const [state, ppid, pgid] = fields;
  const startTime = fields[19]; // field 22 of stat(5), counting pid and name
  if (!state || !ppid || !pgid || startTime === undefined) return undefined;
  return {
    state,
    ppid: Number(ppid),
    pgid: Number(pgid),
    startTime,
    name: text.slice(open + 1, close),
  };
}

export interface TcpEndpoint {
  /** As Node writes it: "127.0.0.1", "::1"; an IPv4-mapped IPv6 address as plain IPv4. */
  readonly address: string;
  readonly port: number;
}

export type TcpState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "NEW_SYN_RECV"
  | "UNKNOWN";

/** One socket of /proc/net/tcp or tcp6. */
export interface TcpRow {
  readonly local: TcpEndpoint;
  readonly remote: TcpEndpoint;
  readonly state: TcpState;
  /** What /proc/<pid>/fd links to ("socket:[inode]"); "0" for a socket no process holds. */
  readonly inode: string;
}

// The kernel's numbering (include/net/tcp_states.h), as /proc/net/tcp writes it in hex.
const STATES: readonly TcpState[] = [
  "UNKNOWN",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "NEW_SYN_RECV",
];

/**
 * Parses /proc/net/tcp or /proc/net/tcp6: a header line, then one socket per line,
 * "sl local_address rem_address st ... inode ...". Lines that do not fit are skipped, and so
 * are sockets no process holds (inode 0: TIME_WAIT, mostly), which the lab never looks for:
 * every check leaves a few hundred of them for a minute, and each costs a parse.
 */
export function parseTcpTable(text: string): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const inode = fields[9];
    if (!inode || inode === "0" || !/^\d+$/.test(inode)) continue;
    const local = parseEndpoint(fields[1]);
    const remote = parseEndpoint(fields[2]);
    if (!local || !remote) continue;
    const state = STATES[Number.parseInt(fields[3] ?? "", 16)] ?? "UNKNOWN";
    rows.push({ local, remote, state, inode });
  }
  return rows;
}

/** "0100007F:1F90" → 127.0.0.1:8080. The address is in the kernel's byte order, by 32-bit word. */
function parseEndpoint(text: string | undefined): TcpEndpoint | undefined {
  const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text ?? "");
  if (!match) return undefined;
  const hex = match[1] as string;
  const bytes: number[] = [];
  // Each 32-bit word is written as the machine stores it: little-endian on x86 and arm64.
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2)
      bytes.push(Number.parseInt(hex.slice(word + i, word + i + 2), 16));
  }
  return { address: formatAddress(bytes), port: Number.parseInt(match[2] as string, 16) };
}

function formatAddress(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join(".");
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (mapped) return bytes.slice(12).join(".");
  const groups = Array.from({ length: 8 }, (_, i) =>
    (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16),
  );
  return compressIpv6(groups);
}

/** RFC 5952 (as inet_ntop and so Node write it): the first longest run of 2+ zero groups is "::". */
function compressIpv6(groups: readonly string[]): string {
  let best = { start: -1, length: 0 };
  let run = { start: -1, length: 0 };
  groups.forEach((group, i) => {
    if (group !== "0") {
      run = { start: -1, length: 0 };
      return;
    }
    run = run.start < 0 ? { start: i, length: 1 } : { start: run.start, length: run.length + 1 };
    if (run.length > best.length) best = run;
  });
  if (best.length < 2) return groups.join(":");
  const head = groups.slice(0, best.start).join(":");
  const tail = groups.slice(best.start + best.length).join(":");
  return `${head}::${tail}`;
}

/**
 * Reads the memory lines of /proc/<pid>/status: VmRSS (resident now) and VmHWM (its peak), in
 * KiB. Undefined without VmRSS (a zombie, a kernel thread, or no such process).
 */
export function parseStatusMemory(
  text: string,
): { residentKb: number; peakKb?: number } | undefined {
  const resident = /^VmRSS:\s+(\d+)\s+kB/m.exec(text)?.[1];
  if (resident === undefined) return undefined;
  const peak = /^VmHWM:\s+(\d+)\s+kB/m.exec(text)?.[1];
  return { residentKb: Number(resident), ...(peak === undefined ? {} : { peakKb: Number(peak) }) };
}
