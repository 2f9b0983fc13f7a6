import { describe, expect, it } from "vitest";
import {
  parseCimProcesses,
  parseCsv,
  parseNetstat,
  parseTasklist,
  parseWindowsStartTime,
  taskkillOutcome,
} from "../../src/processes/windows-parse.js";

/*
 * Windows' outputs in the forms its tools print them (this suite runs on Linux, so they are
 * written down here in those forms, not captured on each run): CRLF line ends, a translated
 * title and header, translated state words, and a German console's code page (850) read as
 * UTF-8, which turns "ABHÖREN" into "ABH\uFFFDREN". None of that may change what is read.
 */

// `netstat -ano` on English Windows 11.
const NETSTAT_EN = [
  "",
  "Active Connections",
  "",
  "  Proto  Local Address          Foreign Address        State           PID",
  "  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1040",
  "  TCP    127.0.0.1:5000         0.0.0.0:0              LISTENING       12345",
  "  TCP    127.0.0.1:5000         127.0.0.1:52000        ESTABLISHED     12345",
  "  TCP    127.0.0.1:52000        127.0.0.1:5000         ESTABLISHED     777",
  "  TCP    127.0.0.1:52001        127.0.0.1:5000         TIME_WAIT       0",
  "  TCP    [::]:135               [::]:0                 LISTENING       1040",
  "  TCP    [::1]:5001             [::]:0                 LISTENING       2222",
  "  TCP    [fe80::1%7]:5002       [fe80::2%7]:50123      ESTABLISHED     2222",
  "  UDP    0.0.0.0:5353           *:*                                    2480",
  "  UDP    [::]:5353              *:*                                    2480",
  "",
].join("\r\n");

// The same on German Windows ("Aktive Verbindungen", "ABHÖREN", "HERGESTELLT", "WARTEND"),
// its ö read as UTF-8 from code page 850, and a state of two words as some languages have.
const NETSTAT_DE = [
  "",
  "Aktive Verbindungen",
  "",
  "  Proto  Lokale Adresse         Remoteadresse          Status           PID",
  "  TCP    0.0.0.0:135            0.0.0.0:0              ABH\uFFFDREN         1040",
  "  TCP    127.0.0.1:5000         0.0.0.0:0              ABH\uFFFDREN         12345",
  "  TCP    127.0.0.1:5000         127.0.0.1:52000        HERGESTELLT     12345",
  "  TCP    127.0.0.1:52001        127.0.0.1:5000         WARTEND         0",
  "  TCP    127.0.0.1:52002        127.0.0.1:5000         SCHLIESSEN WARTEN 4242",
  "  UDP    0.0.0.0:5353           *:*                                    2480",
  "",
].join("\r\n");

describe("parseNetstat", () => {
  it("reads English netstat -ano: TCP only, listeners by their foreign port 0", () => {
    expect(parseNetstat(NETSTAT_EN)).toEqual([
      {
        local: { address: "0.0.0.0", port: 135 },
        remote: { address: "0.0.0.0", port: 0 },
        pid: 1040,
        listening: true,
      },
      {
        local: { address: "127.0.0.1", port: 5000 },
        remote: { address: "0.0.0.0", port: 0 },
        pid: 12345,
        listening: true,
      },
      {
        local: { address: "127.0.0.1", port: 5000 },
        remote: { address: "127.0.0.1", port: 52000 },
        pid: 12345,
        listening: false,
      },
      {
        local: { address: "127.0.0.1", port: 52000 },
        remote: { address: "127.0.0.1", port: 5000 },
        pid: 777,
        listening: false,
      },
      {
        local: { address: "127.0.0.1", port: 52001 },
        remote: { address: "127.0.0.1", port: 5000 },
        pid: 0,
        listening: false,
      },
      {
        local: { address: "::", port: 135 },
        remote: { address: "::", port: 0 },
        pid: 1040,
        listening: true,
      },
      {
        local: { address: "::1", port: 5001 },
        remote: { address: "::", port: 0 },
        pid: 2222,
        listening: true,
      },
      {
        local: { address: "fe80::1%7", port: 5002 },
        remote: { address: "fe80::2%7", port: 50123 },
        pid: 2222,
        listening: false,
      },
    ]);
  });

  it("reads German netstat -ano the same way, whatever its state words", () => {
    const rows = parseNetstat(NETSTAT_DE);
    expect(rows.map((r) => [r.local.port, r.pid, r.listening])).toEqual([
      [135, 1040, true],
      [5000, 12345, true],
      [5000, 12345, false],
      [52001, 0, false],
      [52002, 4242, false],
    ]);
  });

  it.each([
    ["nothing", ""],
    ["a header only", "  Proto  Local Address  Foreign Address  State  PID\r\n"],
    ["a bad address", "  TCP    localhost:http   0.0.0.0:0   LISTENING   4\r\n"],
    ["no pid (netstat -an)", "  TCP    0.0.0.0:135   0.0.0.0:0   LISTENING\r\n"],
  ])("skips %s", (_, text) => {
    expect(parseNetstat(text)).toEqual([]);
  });
});

// `tasklist /fi "PID eq 12345" /fo csv /nh` on English, German and French Windows: the
// memory column's thousands separator differs (",", ".", a no-break space) and French says Ko.
const TASKLIST_EN = '"node.exe","12345","Console","1","45,678 K"\r\n';
const TASKLIST_DE = '"node.exe","12345","Console","1","45.678 K"\r\n';
const TASKLIST_FR = '"node.exe","12345","Console","1","45\u00a0678\u00a0Ko"\r\n';
// What tasklist prints when nothing matches, in English and German: no CSV record.
const TASKLIST_NONE_EN = "INFO: No tasks are running which match the specified criteria.\r\n";
const TASKLIST_NONE_DE =
  "INFORMATION: Es werden keine Aufgaben mit den angegebenen Kriterien ausgef\uFFFDhrt.\r\n";

describe("parseTasklist", () => {
  it.each([
    ["English", TASKLIST_EN],
    ["German", TASKLIST_DE],
    ["French", TASKLIST_FR],
  ])("%s: the image name, the pid, the memory in KiB", (_, text) => {
    expect(parseTasklist(text)).toEqual([{ name: "node.exe", pid: 12345, memoryKb: 45678 }]);
  });

  it.each([
    ["English", TASKLIST_NONE_EN],
    ["German", TASKLIST_NONE_DE],
    ["nothing", ""],
  ])("no process matched (%s): no row", (_, text) => {
    expect(parseTasklist(text)).toEqual([]);
  });

  it("reads every row of a full list, an image name with a comma and spaces too", () => {
    const text =
      '"System Idle Process","0","Services","0","8 K"\r\n"My, App.exe","4321","Console","1","1,024 K"\r\n';
    expect(parseTasklist(text)).toEqual([
      { name: "System Idle Process", pid: 0, memoryKb: 8 },
      { name: "My, App.exe", pid: 4321, memoryKb: 1024 },
    ]);
  });
});

describe("parseCsv", () => {
  it.each([
    [
      '"a","b"\r\n"c","d"\r\n',
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    ['"say ""hi""",""\n', [['say "hi"', ""]]],
    ['"two\r\nlines","x"', [["two\r\nlines", "x"]]],
    ["plain,fields\n\n", [["plain", "fields"]]],
    ["", []],
  ])("%j", (text, expected) => {
    expect(parseCsv(text)).toEqual(expected);
  });
});

// `Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,Name,CommandLine |
// ConvertTo-Csv -NoTypeInformation`: system processes have no command line.
const CIM = [
  '"ProcessId","ParentProcessId","Name","CommandLine"',
  '"0","0","System Idle Process",',
  '"4","0","System",',
  '"812","700","cmd.exe","cmd.exe /d /s /c ""node app.mjs"""',
  '"12345","812","node.exe","""C:\\Program Files\\nodejs\\node.exe"" app.mjs"',
  "",
].join("\r\n");

describe("parseCimProcesses", () => {
  it("reads pid, parent and command line by the header's names", () => {
    expect(parseCimProcesses(CIM)).toEqual([
      { pid: 0, ppid: 0, command: "System Idle Process" },
      { pid: 4, ppid: 0, command: "System" },
      { pid: 812, ppid: 700, command: 'cmd.exe /d /s /c "node app.mjs"' },
      { pid: 12345, ppid: 812, command: '"C:\\Program Files\\nodejs\\node.exe" app.mjs' },
    ]);
  });

  it("skips Windows PowerShell's #TYPE line, and reads columns in any order", () => {
    const text =
      '#TYPE Selected.Microsoft.Management.Infrastructure.CimInstance\r\n"ParentProcessId","ProcessId","CommandLine","Name"\r\n"1","2","x.exe -a","x.exe"\r\n';
    expect(parseCimProcesses(text)).toEqual([{ pid: 2, ppid: 1, command: "x.exe -a" }]);
  });

  it.each([
    ["nothing (PowerShell missing)", ""],
    ["an error instead of CSV", "Get-CimInstance : Access denied\r\n"],
  ])("%s: no process", (_, text) => {
    expect(parseCimProcesses(text)).toEqual([]);
  });
});

describe("taskkillOutcome", () => {
  // `taskkill /pid N /T /F`: 0 "SUCCESS: The process with PID N (child process of PID M) has
  // been terminated."; 128 "ERROR: The process "N" not found."; 1 "ERROR: ... Access is denied."
  it.each([
    [0, "stopped"],
    [128, "gone"],
    [1, "failed"],
    [null, "failed"],
  ] as const)("exit code %s: %s", (code, expected) => {
    expect(taskkillOutcome(code)).toBe(expected);
  });
});

describe("parseWindowsStartTime", () => {
  it.each([
    ["133800123456789012\r\n", "133800123456789012"],
    ["", undefined],
    ["Get-Process : Cannot find a process\r\n", undefined],
  ])("%j → %s", (text, expected) => {
    expect(parseWindowsStartTime(text)).toBe(expected);
  });
});
