import { describe, expect, it } from "vitest";
import { parseStat, parseStatusMemory, parseTcpTable } from "../../src/processes/proc-parse.js";

// Recorded from a Linux 6 kernel: a program named "a) (b c", a cat, a zombie.
const ODD_NAME =
  "28124 (a) (b c) S 28123 28116 6966 0 -1 4194304 135 0 0 0 0 0 0 0 20 0 1 0 69753 2990080 408 18446744073709551615 94696618348544 94696618366473 140728272256624 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94696618380560 94696618381824 94696784244736 140728272259600 140728272259619 140728272259619 140728272261095 0\n";
const CAT =
  "28200 (cat) R 28116 28116 6966 0 -1 4194304 103 0 0 0 0 0 0 0 20 0 1 0 69774 3133440 417 18446744073709551615 93928301981696 93928302001577 140735363844160 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 93928302017584 93928302019200 93928530001920 140735363848727 140735363848747 140735363848747 140735363850219 0\n";
const ZOMBIE =
  "28203 (sleep) Z 28201 28116 6966 0 -1 4227084 96 0 0 0 0 0 0 0 20 0 1 0 69774 0 0 18446744073709551615 0 0 0 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

describe("parseStat", () => {
  it.each([
    [
      "a name with spaces and ')'",
      ODD_NAME,
      { state: "S", ppid: 28123, pgid: 28116, startTime: "69753", name: "a) (b c" },
    ],
    [
      "a plain name",
      CAT,
      { state: "R", ppid: 28116, pgid: 28116, startTime: "69774", name: "cat" },
    ],
    [
      "a zombie",
      ZOMBIE,
      { state: "Z", ppid: 28201, pgid: 28116, startTime: "69774", name: "sleep" },
    ],
    [
      "a name that is only ')'",
      "7 ()) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0",
      { state: "S", ppid: 1, pgid: 7, startTime: "42", name: ")" },
    ],
  ])("%s", (_, text, expected) => {
    expect(parseStat(text)).toEqual(expected);
  });

  it.each([
    ["nothing (the process was gone)", ""],
    ["no name", "28200 cat R 1 2 3"],
    ["cut short before the start time", "28200 (cat) R 28116 28116 6966 0"],
  ])("%s is undefined", (_, text) => {
    expect(parseStat(text)).toBeUndefined();
  });
});

// Recorded /proc/net/tcp: a listener on 127.0.0.1:45369 and a connection to it; then a
// TIME_WAIT row made up.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:B139 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25913 1 0000000025fb4670 100 0 0 10 0
  11: 0100007F:C92E 0100007F:A051 01 00000000:00000000 00:00000000 00000000     0        0 27968 2 0000000063e48584 20 0 0 10 -1
  12: 0A00020F:D431 5DB8D822:01BB 06 00000000:00000000 03:00000F2C 00000000     0        0 0 3 0000000000000000
`;

// Recorded /proc/net/tcp6: a listener on ::1, one on ::, and a v4 client accepted by the
// dual-stack "::" listener; then rows made up for global and link-local addresses.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:B139 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 25914 1 00000000e5ee3021 100 0 0 10 0
   1: 00000000000000000000000000000000:A051 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 27967 1 00000000e1d31b23 100 0 0 10 0
   4: 0000000000000000FFFF00000100007F:A051 0000000000000000FFFF00000100007F:C92E 01 00000000:00000000 00:00000000 00000000     0        0 27969 1 000000008153813d 20 0 0 10 -1
   5: B80D0120000000000000000001000000:1F90 000080FE00000000000000000200010:0050 01 00000000:00000000 00:00000000 00000000     0        0 30001 1 0000000000000000 20 0 0 10 -1
   6: B80D0120000000000000000001000000:1F90 000080FE000000000000000002000100:0050 08 00000000:00000000 00:00000000 00000000     0        0 30002 1 0000000000000000 20 0 0 10 -1
   7: B80D0120010000000100010001000100:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30003 1 0000000000000000 20 0 0 10 -1
`;

describe("parseTcpTable", () => {
  it.each([
    [
      "an IPv4 listener",
      TCP,
      0,
      {
        local: { address: "127.0.0.1", port: 45369 },
        remote: { address: "0.0.0.0", port: 0 },
        state: "LISTEN",
        inode: "25913",
      },
    ],
    [
      "an IPv4 connection",
      TCP,
      1,
      {
        local: { address: "127.0.0.1", port: 51502 },
        remote: { address: "127.0.0.1", port: 41041 },
        state: "ESTABLISHED",
        inode: "27968",
      },
    ],
    [
      "a listener on ::1",
      TCP6,
      0,
      {
        local: { address: "::1", port: 45369 },
        remote: { address: "::", port: 0 },
        state: "LISTEN",
        inode: "25914",
      },
    ],
    [
      "a listener on ::",
      TCP6,
      1,
      {
        local: { address: "::", port: 41041 },
        remote: { address: "::", port: 0 },
        state: "LISTEN",
        inode: "27967",
      },
    ],
    [
      "an IPv4-mapped connection, as IPv4",
      TCP6,
      2,
      {
        local: { address: "127.0.0.1", port: 41041 },
        remote: { address: "127.0.0.1", port: 51502 },
        state: "ESTABLISHED",
        inode: "27969",
      },
    ],
    [
      "global and link-local IPv6",
      TCP6,
      3,
      {
        local: { address: "2001:db8::1", port: 8080 },
        remote: { address: "fe80::1:2", port: 80 },
        state: "CLOSE_WAIT",
        inode: "30002",
      },
    ],
    [
      "a single zero group, not shortened",
      TCP6,
      4,
      {
        local: { address: "2001:db8:0:1:1:1:1:1", port: 22 },
        remote: { address: "::", port: 0 },
        state: "LISTEN",
        inode: "30003",
      },
    ],
  ])("%s", (_, text, index, expected) => {
    expect(parseTcpTable(text)[index]).toEqual(expected);
  });

  it("skips the header, lines that do not fit (a 31-digit address above) and sockets no process holds", () => {
    // The TIME_WAIT line (inode 0) is left out.
    expect(parseTcpTable(TCP).map((row) => row.state)).toEqual(["LISTEN", "ESTABLISHED"]);
    expect(parseTcpTable(TCP6).map((row) => row.inode)).toEqual([
      "25914",
      "27967",
      "27969",
      "30002",
      "30003",
    ]);
    expect(parseTcpTable("")).toEqual([]);
  });
});

describe("parseStatusMemory", () => {
  it.each([
    // Recorded /proc/<pid>/status lines (cat's own), the rest of the file left out.
    [
      "a process: resident now and at its peak",
      "Name:\tcat\nVmPeak:\t    5672 kB\nVmHWM:\t    1736 kB\nVmRSS:\t    1736 kB\nThreads:\t1\n",
      { residentKb: 1736, peakKb: 1736 },
    ],
    [
      "a kernel thread or a zombie has no VmRSS",
      "Name:\tkthreadd\nState:\tS (sleeping)\n",
      undefined,
    ],
    ["gone", "", undefined],
  ])("%s", (_, text, expected) => {
    expect(parseStatusMemory(text)).toEqual(expected);
  });
});
