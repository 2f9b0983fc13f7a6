import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { pollUntil } from "../../src/poll.js";
import { findMarked, RUN_MARKER } from "../../src/processes/marker.js";
import { type Platform, platform } from "../../src/processes/platform.js";
import { createLinuxPlatform } from "../../src/processes/platform-linux.js";
import { createUnixPlatform } from "../../src/processes/platform-unix.js";
import { spawnGroup } from "../../src/processes/spawn-group.js";

/**
 * The platform layer's contract, run against each implementation this machine can run for
 * real: Linux's /proc, and the ps + lsof one that macOS uses. Windows' is driven by its
 * recorded outputs in test/unit/windows-platform.test.ts.
 */

/**
 * A process that says who it is ({"pid","pgid"} on a line; {"port"} too when it listens) and
 * runs until killed; with CHILD=1 it first starts one more of itself, in a group of its own
 * when ESCAPE=1 (as a daemon leaves the lab's group), whose lines come out of the same pipe.
 */
const TREE = `
const { spawn } = require("node:child_process");
const say = (more) => console.log(JSON.stringify({ pid: process.pid, ...more }));
if (process.env.CHILD === "1") {
  spawn(process.execPath, ["-e", process.env.SCRIPT, "grandchild-" + process.env.TAG], {
    env: { ...process.env, CHILD: "0" },
    stdio: ["ignore", "inherit", "inherit"],
    detached: process.env.ESCAPE === "1",
  });
}
if (process.env.LISTEN === "1" && process.env.CHILD !== "1") {
  const server = require("node:net").createServer().listen(0, "127.0.0.1", () => say({ port: server.address().port }));
} else say({});
setInterval(() => {}, 1000);
`;

interface Said {
  pid: number;
  port?: number;
}

/** Starts the tree's root in a group of its own, as the lab starts an app. */
function startTree(env: Record<string, string>) {
  const tag = randomUUID();
  const child: ChildProcess = spawn(process.execPath, ["-e", TREE, `root-${tag}`], {
    env: { ...process.env, SCRIPT: TREE, TAG: tag, ...env },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  const seen: Said[] = [];
  return {
    pid: child.pid as number,
    tag,
    seen,
    async next(): Promise<Said> {
      const { value, done } = await lines.next();
      if (done) throw new Error("the process ended without saying who it is");
      const said = JSON.parse(value) as Said;
      seen.push(said);
      return said;
    },
    async [Symbol.asyncDispose]() {
      for (const pid of new Set([child.pid as number, ...seen.map((s) => s.pid)])) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      await pollUntil(async () => child.exitCode !== null || child.signalCode !== null, {
        timeoutMs: 5000,
        everyMs: 10,
      });
    },
  };
}

/** Whether a process has ended (a zombie not yet reaped by its parent counts as ended). */
async function gone(pid: number): Promise<boolean> {
  return (await platform().describeProcess(pid)) === undefined;
}

async function allGone(pids: readonly number[]): Promise<boolean> {
  return (await Promise.all(pids.map(gone))).every(Boolean);
}

/**
 * The implementations this machine runs: Linux both, macOS and the other Unixes ps + lsof.
 * Windows' runs on recorded outputs (test/unit/windows-platform.test.ts), and for real only
 * on the workflow's Windows runner, through the lab's own tests.
 */
const HERE: [string, Platform][] = [
  ...(process.platform === "linux"
    ? [["Linux /proc", createLinuxPlatform()] as [string, Platform]]
    : []),
  ...(process.platform === "win32"
    ? []
    : [
        ["ps + lsof (macOS's, SESSION_LAB_PLATFORM=unix)", createUnixPlatform()] as [
          string,
          Platform,
        ],
      ]),
];

describe.runIf(HERE.length > 0).each(HERE)("the platform layer through %s", (_, os) => {
  it("lists a process with its parent, group and command line", async () => {
    await using tree = startTree({});
    const { pid } = await tree.next();
    const expected = {
      pid,
      ppid: process.pid,
      pgid: pid,
      command: expect.stringContaining(`root-${tree.tag}`),
    };
    expect((await os.listProcesses()).find((p) => p.pid === pid)).toEqual(expected);
    expect(await os.describeProcess(pid)).toEqual(expected);
    // The look-up's own helper (ps) is never in what it lists.
    expect((await os.listProcesses()).filter((p) => p.ppid === process.pid)).toEqual([
      expect.objectContaining({ pid }),
    ]);
  });

  it("finds the processes carrying an environment entry, one that left its group too", async () => {
    const entry = `SESSION_LAB_PLATFORM_TEST=${randomUUID()}`;
    const [name, value] = entry.split("=") as [string, string];
    // The entry after 100 KB of others: an environment is read whole, however long.
    await using tree = startTree({
      SESSION_LAB_PLATFORM_LONG: "x".repeat(100_000),
      [name]: value,
      CHILD: "1",
      ESCAPE: "1",
    });
    const pids = [(await tree.next()).pid, (await tree.next()).pid];
    const found = await os.processesWithEnv(entry);
    expect(found.map((p) => p.pid).sort()).toEqual([...pids].sort());
    const escaped = found.find((p) => p.pid !== tree.pid);
    expect(escaped?.pgid).toBe(escaped?.pid);
    expect(escaped?.command).toContain(`grandchild-${tree.tag}`);
    expect(await os.hasEnv(tree.pid, entry)).toBe(true);
    expect(await os.hasEnv(tree.pid, `${name}=someone-else`)).toBe(false);
    expect(await os.processesWithEnv(`${name}=someone-else`)).toEqual([]);
  });

  it("names a port's holder by pid and command line, and a tree's listening ports", async () => {
    await using tree = startTree({ LISTEN: "1", CHILD: "1" });
    const said = [await tree.next(), await tree.next()];
    const listener = said.find((s) => s.port !== undefined) as Required<Said>;
    const holder = {
      pid: listener.pid,
      ppid: tree.pid,
      pgid: tree.pid,
      command: expect.stringContaining(`grandchild-${tree.tag}`),
    };
    expect(await os.portHolder(listener.port)).toEqual(holder);
    expect(await os.portHolder(listener.port, [tree.pid])).toEqual(holder);
    expect(await os.isListening(listener.port)).toBe(true);
    expect(await os.listeningPorts([tree.pid])).toEqual([listener.port]);
    process.kill(listener.pid, "SIGKILL");
    await pollUntil(async () => !(await os.isListening(listener.port)), {
      timeoutMs: 3000,
      everyMs: 20,
    });
    expect(await os.portHolder(listener.port)).toBeUndefined();
    expect(await os.listeningPorts([tree.pid])).toEqual([]);
  });

  it("tells a process by its start time, until it is gone", async () => {
    await using tree = startTree({});
    const { pid } = await tree.next();
    const start = await os.processStartTime(pid);
    expect(start).toEqual(expect.any(String));
    expect(await os.processStartTime(pid)).toBe(start);
    expect(await os.processStartTime(process.pid)).not.toBe(start);
    expect((await os.memoryOf(pid))?.residentKb).toBeGreaterThan(1000);
    process.kill(pid, "SIGKILL");
    await pollUntil(async () => (await os.processStartTime(pid)) === undefined, {
      timeoutMs: 3000,
      everyMs: 20,
    });
    expect(await os.describeProcess(pid)).toBeUndefined();
  });

  it("signals a group and sees it end", async () => {
    await using tree = startTree({ CHILD: "1" });
    const pids = [(await tree.next()).pid, (await tree.next()).pid];
    expect(await os.groupAlive(tree.pid)).toBe(true);
    expect(os.signalGroup(tree.pid, 0)).toBe(true);
    expect(os.signalGroup(tree.pid, "SIGKILL")).toBe(true);
    await pollUntil(async () => !(await os.groupAlive(tree.pid)), { timeoutMs: 3000, everyMs: 20 });
    expect(await allGone(pids)).toBe(true);
  });

  it("stops a process tree at once, and says when there was none", async () => {
    await using tree = startTree({ CHILD: "1" });
    const pids = [(await tree.next()).pid, (await tree.next()).pid];
    expect(await os.descendants([tree.pid])).toEqual(pids);
    expect(await os.stopTree(tree.pid)).toBe("stopped");
    await pollUntil(() => allGone(pids), { timeoutMs: 3000, everyMs: 20 });
    expect(await allGone(pids)).toBe(true);
    expect(await os.stopTree(tree.pid)).toBe("gone");
  });
});

describe.runIf(process.platform === "linux")(
  "Linux: whether the process the lab started listens itself",
  () => {
    it("is true for the process holding the listening socket, false for its parent and another port", async () => {
      const os = createLinuxPlatform();
      await using tree = startTree({ LISTEN: "1", CHILD: "1" });
      const said = [await tree.next(), await tree.next()];
      const listener = said.find((s) => s.port !== undefined) as Required<Said>;
      expect(await os.listensItself?.(listener.pid, listener.port)).toBe(true);
      expect(await os.listensItself?.(tree.pid, listener.port)).toBe(false);
      expect(await os.listensItself?.(listener.pid, listener.port === 1 ? 2 : 1)).toBe(false);
    });
  },
);

describe("a run's processes, looked up by many instances at once", () => {
  it("answers each look-up with a look begun after it was asked: a process started meanwhile is found", async () => {
    const runId = randomUUID();
    await using first = startTree({ [RUN_MARKER]: runId });
    const firstPid = (await first.next()).pid;
    // Sixteen at once (N=16 instances ready together) share their looks; each finds it.
    const looks = await Promise.all(Array.from({ length: 16 }, () => findMarked(runId)));
    for (const found of looks) expect(found.map((p) => p.pid)).toEqual([firstPid]);
    // A look under way when a process starts does not answer a question asked after it.
    const under = findMarked(runId);
    await using second = startTree({ [RUN_MARKER]: runId });
    const secondPid = (await second.next()).pid;
    const after = await findMarked(runId);
    expect(after.map((p) => p.pid).sort()).toEqual([firstPid, secondPid].sort());
    expect((await under).map((p) => p.pid)).toContain(firstPid);
  });
});

describe("Windows' teardown, which has no groups and no SIGTERM, on real processes", () => {
  it("starts the app undetached and stops its whole tree at once, without a grace period", async () => {
    const real = platform();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stopped: number[] = [];
    // The Windows implementation's rules, with this machine's way of ending a tree.
    const treeOnly: Platform = {
      ...real,
      name: "windows",
      groups: false,
      signalGroup: (pid, signal) => {
        if (signal !== 0) void real.stopTree(pid);
        return alive(pid);
      },
      groupAlive: async (pid) => alive(pid),
      stopTree: async (pid) => {
        stopped.push(pid);
        return real.stopTree(pid);
      },
    };
    const group = spawnGroup(
      {
        file: process.execPath,
        // Ignores SIGTERM: were one sent, the stop would wait out its grace period.
        args: [
          "-e",
          `process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000);`,
        ],
        env: process.env,
        description: "an app",
        output: true,
      },
      treeOnly,
    );
    const pid = group.pgid as number;
    await new Promise((resolve) => group.stdout?.once("data", resolve));
    // Not detached: it is in this process's group, not the leader of one of its own.
    expect((await real.describeProcess(pid))?.pgid).toBe(
      (await real.describeProcess(process.pid))?.pgid,
    );
    const began = Date.now();
    expect(await group.stop(3000)).toBe("stopped");
    expect(Date.now() - began).toBeLessThan(1500);
    expect(stopped).toEqual([pid]);
    expect(await gone(pid)).toBe(true);
  });
});
