import { describe, expect, it } from "vitest";
import { psEnvironmentArgs } from "../../src/processes/platform-unix.js";
import { descendantsOf } from "../../src/processes/process-tree.js";
import {
  parsePsParents,
  parsePsRss,
  parsePsStart,
  parsePsTable,
  pidsWithEnvEntry,
} from "../../src/processes/ps-parse.js";

// Recorded on Linux (procps-ng 4.0.2, LC_ALL=C):
// `ps -A -ww -o pid= -o ppid= -o pgid= -o stat= -o command=`, a few lines of it.
const PROCPS_TABLE = [
  "    1     0     0 S<Ll /process_api --firecracker-init --addr 0.0.0.0:2024",
  "    2     0     0 S    [kthreadd]",
  "31820     1 31817 S    sleep 2",
  "31822 31820 31817 Z    [sleep] <defunct>",
  "",
].join("\n");

// As macOS's ps prints the same columns (its state letters, a path with spaces, ControlCenter).
const MACOS_TABLE = [
  "    1     0     1 Ss   /sbin/launchd",
  "  512     1   512 S    /System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter",
  " 4711   812  4711 S+   /Applications/Visual Studio Code.app/Contents/MacOS/Electron --inspect",
  "",
].join("\n");

describe("parsePsTable", () => {
  it.each([
    [
      "procps: kernel threads, a zombie",
      PROCPS_TABLE,
      [
        {
          pid: 1,
          ppid: 0,
          pgid: 0,
          state: "S<Ll",
          command: "/process_api --firecracker-init --addr 0.0.0.0:2024",
        },
        { pid: 2, ppid: 0, pgid: 0, state: "S", command: "[kthreadd]" },
        { pid: 31820, ppid: 1, pgid: 31817, state: "S", command: "sleep 2" },
        { pid: 31822, ppid: 31820, pgid: 31817, state: "Z", command: "[sleep] <defunct>" },
      ],
    ],
    [
      "macOS: a command with spaces kept whole",
      MACOS_TABLE,
      [
        { pid: 1, ppid: 0, pgid: 1, state: "Ss", command: "/sbin/launchd" },
        {
          pid: 512,
          ppid: 1,
          pgid: 512,
          state: "S",
          command: "/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter",
        },
        {
          pid: 4711,
          ppid: 812,
          pgid: 4711,
          state: "S+",
          command: "/Applications/Visual Studio Code.app/Contents/MacOS/Electron --inspect",
        },
      ],
    ],
    ["a header line and garbage are skipped", "  PID  PPID  PGID STAT COMMAND\nnot ps\n", []],
    ["nothing (no such pid: ps exits 1)", "", []],
  ])("%s", (_, text, expected) => {
    expect(parsePsTable(text)).toEqual(expected);
  });
});

// Recorded on Linux (procps-ng 4.0.2): `ps axeww -o pid= -o command=`: the environment
// follows the arguments. The grep that looked for it has the words in its arguments only.
const PROCPS_ENV = [
  "31782 sleep 3 SESSION_LAB_RUN=4242-abcdef SHELL=/bin/bash PWD=/tmp HOME=/root",
  "31790 grep SESSION_LAB_RUN=4242-abcdef SHELL=/bin/bash PWD=/tmp HOME=/root",
  "31791 node app.mjs SESSION_LAB_RUN=4242-abcdefXX SHELL=/bin/bash",
  "  900 /usr/sbin/sshd -D",
  "",
].join("\n");
// As macOS prints `ps -A -E -ww -o pid= -o command=`: another user's process shows no
// environment (only root sees it), the user's own do.
const MACOS_ENV = [
  "  512 /System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter",
  " 4801 node /Users/ada/lab/app.mjs TERM_PROGRAM=Apple_Terminal SESSION_LAB_RUN=4242-abcdef HOME=/Users/ada",
  "",
].join("\n");

describe("pidsWithEnvEntry", () => {
  it.each([
    // The grep is matched too (its arguments hold the words): callers leave out their own ps.
    ["procps: the marker as a word of its own", PROCPS_ENV, [31782, 31790]],
    ["macOS -E: the user's own process", MACOS_ENV, [4801]],
    ["nothing carries it", "  900 /usr/sbin/sshd -D\n", []],
  ])("%s", (_, text, expected) => {
    expect(pidsWithEnvEntry(text, "SESSION_LAB_RUN=4242-abcdef")).toEqual(expected);
  });
});

describe("psEnvironmentArgs", () => {
  it.each([
    ["linux", undefined, ["axeww", "-o", "pid=", "-o", "command="]],
    ["linux", 42, ["eww", "-o", "pid=", "-o", "command=", "-p", "42"]],
    ["freebsd", undefined, ["axeww", "-o", "pid=", "-o", "command="]],
    ["darwin", undefined, ["-A", "-E", "-ww", "-o", "pid=", "-o", "command="]],
    ["darwin", 42, ["-E", "-ww", "-o", "pid=", "-o", "command=", "-p", "42"]],
  ] as const)("%s, pid %s", (os, pid, expected) => {
    expect(psEnvironmentArgs(os, pid)).toEqual(expected);
  });
});

describe("parsePsStart", () => {
  it.each([
    // Recorded: `ps -o stat= -o lstart= -p 1` (procps, LC_ALL=C); macOS prints the same form.
    ["a live process", "S<Ll Wed Dec  2 18:11:27 2026\n", "Wed Dec  2 18:11:27 2026"],
    ["a zombie has no identity left", "Z    Wed Dec  2 18:11:27 2026\n", undefined],
    ["no such process", "", undefined],
  ])("%s", (_, text, expected) => {
    expect(parsePsStart(text)).toBe(expected);
  });
});

describe("parsePsRss", () => {
  it.each([
    [" 1824\n", 1824],
    ["", undefined],
  ])("%j → %s", (text, expected) => {
    expect(parsePsRss(text)).toBe(expected);
  });
});

describe("processes and their descendants from ps", () => {
  // `ps -A -o pid= -o ppid=`: 10 runs 11 and 12; 12 runs 13; 20 is unrelated.
  const PS = "    1     0\n   10     1\n   11    10\n   12    10\n   13    12\n   20     1\n";

  it.each([
    [[10], [10, 11, 12, 13]],
    [
      [12, 20],
      [12, 20, 13],
    ],
    [[99], [99]],
    [[], []],
  ])("from %j: %j", (roots, expected) => {
    expect(descendantsOf(roots, parsePsParents(PS))).toEqual(expected);
  });

  it("skips lines that are not two numbers", () => {
    expect(parsePsParents("  PID  PPID\n 5 1\nzombie\n")).toEqual(new Map([[5, 1]]));
  });

  it("stops at 256 processes (a fork bomb does not stall the lab)", () => {
    const parents = new Map(Array.from({ length: 1000 }, (_, i) => [i + 2, 1] as const));
    expect(descendantsOf([1], parents)).toHaveLength(256);
  });

  it("does not loop on a process that is its own parent (Windows' pid 0)", () => {
    expect(descendantsOf([0], new Map([[0, 0]]))).toEqual([0]);
  });
});
