import { describe, expect, it } from "vitest";
import { platformNameFor } from "../../src/processes/platform.js";
import { createWindowsPlatform, taskkillArgs } from "../../src/processes/platform-windows.js";
import type { FileResult } from "../../src/processes/run-file.js";
import { shellInvocation } from "../../src/processes/shell.js";

/**
 * The Windows implementation, driven with Windows' outputs instead of Windows: each program it
 * runs (by execFile, without a shell) answers from a table, and every call is written down.
 */
function fakeWindows(answers: Record<string, FileResult>) {
  const calls: [string, string[]][] = [];
  const answer = (file: string, args: readonly string[]) => {
    calls.push([file, [...args]]);
    return answers[file] ?? { code: null, stdout: "" };
  };
  const os = createWindowsPlatform({
    run: async (file, args) => answer(file, args),
    runSync: answer,
  });
  return { os, calls };
}

const NETSTAT = [
  "  Proto  Lokale Adresse         Remoteadresse          Status           PID",
  "  TCP    127.0.0.1:5000         0.0.0.0:0              ABH\uFFFDREN         12345",
  "  TCP    127.0.0.1:5001         0.0.0.0:0              ABH\uFFFDREN         2222",
  "  TCP    127.0.0.1:5001         127.0.0.1:52000        HERGESTELLT     2222",
  "  TCP    127.0.0.1:52000        127.0.0.1:6379         HERGESTELLT     2222",
  "  TCP    127.0.0.1:52001        127.0.0.1:6379         WARTEND         0",
  "",
].join("\r\n");
const CIM = [
  '"ProcessId","ParentProcessId","Name","CommandLine"',
  '"812","700","cmd.exe","cmd.exe /d /s /c ""node app.mjs"""',
  '"2222","812","node.exe","node app.mjs"',
  "",
].join("\r\n");
const ok = (stdout: string): FileResult => ({ code: 0, stdout });

/** A pid no process has: process.kill(pid, 0) fails for it, as for a tree that is gone. */
const NO_SUCH_PID = 2 ** 22 + 12_345;

describe("the Windows platform", () => {
  it("names a port's holder by image name and pid, from a German netstat", async () => {
    const { os, calls } = fakeWindows({
      netstat: ok(NETSTAT),
      tasklist: ok('"python.exe","12345","Console","1","45.678 K"\r\n'),
    });
    expect(await os.portHolder(5000)).toEqual({
      pid: 12345,
      ppid: 0,
      pgid: 12345,
      command: "python.exe",
    });
    expect(calls).toEqual([
      ["netstat", ["-ano"]],
      ["tasklist", ["/fi", "PID eq 12345", "/fo", "csv", "/nh"]],
    ]);
    expect(await os.isListening(5000)).toBe(true);
    expect(await os.isListening(52000)).toBe(false);
  });

  it("finds a tree's listening ports and connections through its parents (never wmic)", async () => {
    const { os, calls } = fakeWindows({ netstat: ok(NETSTAT), "powershell.exe": ok(CIM) });
    expect(await os.listeningPorts([812])).toEqual([5001]);
    expect(await os.connectionsOf([812])).toEqual([
      {
        pid: 2222,
        localAddress: "127.0.0.1",
        localPort: 5001,
        remoteAddress: "127.0.0.1",
        remotePort: 52000,
      },
      {
        pid: 2222,
        localAddress: "127.0.0.1",
        localPort: 52000,
        remoteAddress: "127.0.0.1",
        remotePort: 6379,
      },
    ]);
    expect(calls.map(([file]) => file)).not.toContain("wmic");
    expect(calls[0]?.[1].at(-1)).toMatch(/^Get-CimInstance Win32_Process /);
  });

  it("stops a tree with taskkill /pid N /T /F; exit code 128 means it was gone already", async () => {
    expect(taskkillArgs(4242)).toEqual(["/pid", "4242", "/T", "/F"]);
    const stopped = fakeWindows({ taskkill: { code: 0, stdout: "SUCCESS: ..." } });
    expect(await stopped.os.stopTree(4242)).toBe("stopped");
    expect(stopped.calls).toEqual([["taskkill", ["/pid", "4242", "/T", "/F"]]]);
    const gone = fakeWindows({ taskkill: { code: 128, stdout: "" } });
    expect(await gone.os.stopTree(4242)).toBe("gone");
    const denied = fakeWindows({ taskkill: { code: 1, stdout: "" } });
    expect(await denied.os.stopTree(4242)).toBe("failed");
  });

  it("has no process groups: a group is its leader's tree, any signal ends it by taskkill", async () => {
    const { os, calls } = fakeWindows({ taskkill: { code: 0, stdout: "" } });
    expect(os.groups).toBe(false);
    // This very process stands for a live leader; signal 0 only asks.
    expect(os.signalGroup(process.pid, 0)).toBe(true);
    expect(calls).toEqual([]);
    expect(await os.groupAlive(process.pid)).toBe(true);
    // A leader that is gone: nothing to run, nothing left.
    expect(os.signalGroup(NO_SUCH_PID, "SIGTERM")).toBe(false);
    expect(await os.groupAlive(NO_SUCH_PID)).toBe(false);
    expect(calls).toEqual([]);
  });

  it("sees no other process's environment: the run marker finds nothing", async () => {
    const { os, calls } = fakeWindows({});
    expect(os.seesEnvironment).toBe(false);
    expect(await os.processesWithEnv("SESSION_LAB_RUN=1-abc")).toEqual([]);
    expect(await os.hasEnv(1, "SESSION_LAB_RUN=1-abc")).toBe(false);
    expect(calls).toEqual([]);
  });

  it("tells a start time and a working set; nothing for a process that is gone", async () => {
    const { os } = fakeWindows({
      "powershell.exe": ok("133800123456789012\r\n"),
      tasklist: ok('"node.exe","77","Console","1","1,024 K"\r\n'),
    });
    expect(await os.processStartTime(77)).toBe("133800123456789012");
    expect(await os.memoryOf(77)).toEqual({ residentKb: 1024 });
    const gone = fakeWindows({
      "powershell.exe": ok(""),
      tasklist: ok("INFO: No tasks are running which match the specified criteria.\r\n"),
    });
    expect(await gone.os.processStartTime(77)).toBeUndefined();
    expect(await gone.os.memoryOf(77)).toBeUndefined();
    expect(await gone.os.describeProcess(77)).toBeUndefined();
  });

  it("names the command an administrator runs to see a port's holder", () => {
    expect(fakeWindows({}).os.holderCommand(5000)).toBe("netstat -ano | findstr :5000");
  });
});

describe("--cmd through a shell", () => {
  it.each([
    [
      "Unix: /bin/sh -c",
      false,
      undefined,
      { file: "/bin/sh", args: ["-c", "npm start"], windowsVerbatimArguments: false },
    ],
    [
      "Windows: cmd.exe /d /s /c, the line in quotes, passed verbatim",
      true,
      undefined,
      {
        file: "cmd.exe",
        args: ["/d", "/s", "/c", '"npm start"'],
        windowsVerbatimArguments: true,
      },
    ],
    [
      "Windows: %ComSpec% when set",
      true,
      "C:\\Windows\\system32\\cmd.exe",
      {
        file: "C:\\Windows\\system32\\cmd.exe",
        args: ["/d", "/s", "/c", '"npm start"'],
        windowsVerbatimArguments: true,
      },
    ],
  ])("%s", (_, windows, comspec, expected) => {
    expect(shellInvocation("npm start", windows, comspec)).toEqual(expected);
  });
});

describe("which implementation a machine gets", () => {
  it.each([
    ["win32", {}, false, "windows"],
    ["win32", { SESSION_LAB_PLATFORM: "unix" }, false, "windows"],
    ["linux", {}, true, "linux"],
    ["linux", { SESSION_LAB_PLATFORM: "unix" }, true, "unix"],
    ["linux", {}, false, "unix"],
    ["darwin", {}, false, "unix"],
    ["freebsd", {}, false, "unix"],
  ] as const)("%s %j, /proc %s: %s", (os, env, hasProc, expected) => {
    expect(platformNameFor(os, env, hasProc)).toBe(expected);
  });
});
