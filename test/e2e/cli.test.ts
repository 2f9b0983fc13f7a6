import { existsSync } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import module from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { binPath, runCli, runInTerminal } from "../support/cli.js";
import { fixtureApp, tempDir } from "../support/lab.js";
import { busyPorts, findFreePorts } from "../support/ports.js";

describe("session-lab (built CLI)", () => {
  it("prints help and exits 0", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["--help"], { cwd: dir.path }).exited;
    expect(code).toBe(0);
    expect(output).toMatch(/start \[options\] \[exercise\]/);
  });

  it.each([
    [["start", "-n", "0"], /--instances must be between 1 and 32, not 0\./],
    [["start", "--port", "abc"], /--port must be a whole number, not "abc"\./],
    [["start", "--redis-url", "http://x"], /--redis-url must start with redis:\/\/ or rediss:\/\//],
    [["start", "nope"], /There is no exercise called "nope"\./],
    [["start", "--bogus"], /unknown option '--bogus'/],
  ])("rejects %j with one sentence, exit 2 and nothing created", async (args, message) => {
    await using dir = await tempDir();
    const { code, output } = await runCli(args, { cwd: dir.path }).exited;
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir.path, "workshop"))).toBe(false);
  });

  it("brings the starter up behind the proxy, and Ctrl-C stops everything with exit 130", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0])], { cwd: dir.path });
    try {
      await run.waitForOutput(/round-robin over 2 instances on .*\n/);
      expect(run.output()).toContain("Edit workshop/01-shared-sessions/app.mjs");
      expect(run.output()).toContain(`Open http://127.0.0.1:${ports[0]}/`);
      expect(run.output()).toContain(`round-robin over 2 instances on :${ports[1]}, :${ports[2]}`);
      const answer = await fetch(`http://127.0.0.1:${ports[0]}/`);
      expect(answer.headers.get("x-served-by")).toBe(`instance-1 :${ports[1]}`);
      await run.waitForOutput(/proxy +\| GET \/ → app-1/);
    } finally {
      run.child.kill("SIGINT");
    }
    const { code } = await run.exited;
    expect(code).toBe(130);
    expect(await busyPorts(ports)).toEqual([]);
  });

  it("stops on SIGTERM during boot with exit 143 (128 + SIGTERM) and leaves nothing running", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const run = runCli(["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`], {
      cwd: dir.path,
      env: { FIXTURE_NO_LISTEN: "1" },
    });
    await run.waitForOutput(/running, but not listening/);
    run.child.kill("SIGTERM");
    const { code } = await run.exited;
    expect(code).toBe(143);
    expect(await busyPorts(ports)).toEqual([]);
  });

  it("says which port is taken and exits 2", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const blocker = createServer().listen(ports[0], "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const { code, output } = await runCli(["start", "--port", String(ports[0])], {
        cwd: dir.path,
      }).exited;
      expect(code).toBe(2);
      // Which program, by pid and command line: here, this test's own process.
      expect(output).toContain(
        `Port ${ports[0]} (the proxy) is already in use by pid ${process.pid} (`,
      );
      expect(output).toContain("--port");
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("reports an app that crashes on start with its port and last log lines, exit 2", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const { code, output } = await runCli(
      ["start", "--port", String(ports[0]), "--cmd", `node ${fixtureApp}`],
      { cwd: dir.path, env: { FIXTURE_CRASH: "1" } },
    ).exited;
    expect(code).toBe(2);
    // Whichever instance fails first is reported, with its own port.
    expect(output).toMatch(
      new RegExp(
        `Instance (1 on :${ports[1]}|2 on :${ports[2]}) exited with code 3 before it answered\\.`,
      ),
    );
    expect(output).toContain("fixture: failing on purpose before listening");
  });
});

describe("session-lab check (built CLI)", () => {
  const redisUrl = () => inject("redisUrl");

  it("fails the untouched starter with exit 1 and names the cause", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["check", "--redis-url", redisUrl()], { cwd: dir.path })
      .exited;
    expect(code).toBe(1);
    expect(output).toMatch(/✘ shared +set on :\d+, missing on :\d+/);
    expect(output).toContain("cause: each instance reads its own session store");
    expect(output).toMatch(/✘ FAIL {2}each instance reads its own session store \(\d+\.\d s\)/);
  });

  it("colours its report on a terminal, and not under NO_COLOR", async () => {
    await using dir = await tempDir();
    const args = ["check", "--solution", "--redis-url", redisUrl()];
    const coloured = await runInTerminal(args, { cwd: dir.path }).exited;
    expect(coloured.code).toBe(0);
    const esc = String.fromCharCode(27);
    expect(coloured.output).toMatch(new RegExp(`${esc}\\[\\d+m✔ PASS`));
    const plain = await runInTerminal(args, { cwd: dir.path, env: { NO_COLOR: "1" } }).exited;
    expect(plain.code).toBe(0);
    expect(plain.output).toContain("✔ PASS");
    // No colour; a progress line still rewrites itself in place (that is not colour).
    expect(plain.output).not.toMatch(new RegExp(`${esc}\\[[\\d;]*m`));
  });

  it("passes the solution with exit 0 and prints one JSON document with --json", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(
      ["check", "--solution", "--json", "--redis-url", redisUrl()],
      {
        cwd: dir.path,
      },
    ).exited;
    expect(code).toBe(0);
    const report = JSON.parse(output);
    expect(report).toMatchObject({ schema: "session-lab/check@3", verdict: "pass", exitCode: 0 });
    expect(report.scenarios.map((s: { id: string }) => s.id)).toEqual([
      "boot",
      "shared",
      "unset",
      "isolation",
      "restart",
      "store-evidence",
    ]);
  });

  it("lets the instances keep their compiled code in the workspace, where Node can (22.10+)", async () => {
    await using dir = await tempDir();
    const { code } = await runCli(["check", "--solution", "--redis-url", redisUrl()], {
      cwd: dir.path,
    }).exited;
    expect(code).toBe(0);
    const cache = join(dir.path, "workshop", ".session-lab", "compile-cache");
    const files = await readdir(cache, { recursive: true, withFileTypes: true }).catch(() => []);
    let bytes = 0;
    for (const f of files) if (f.isFile()) bytes += (await stat(join(f.parentPath, f.name))).size;
    // This Node is the instances' Node. From 22.10 on it can write its cache while the app
    // runs: Express, express-session, ioredis and connect-redis compiled are ~850 KB (a SIGTERMed
    // instance that never wrote it leaves ~8 KB). Before 22.10 it writes none the lab waits for.
    const flushes =
      typeof (module as { flushCompileCache?: unknown }).flushCompileCache === "function";
    if (flushes) expect(bytes).toBeGreaterThan(200_000);
    else expect(bytes).toBeLessThan(200_000);
  });

  it("exits 2 when the app cannot start, and strips terminal escapes from its log", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(
      ["check", "--cmd", `node ${fixtureApp}`, "--redis-url", redisUrl()],
      { cwd: dir.path, env: { FIXTURE_CRASH: "1", FORCE_COLOR: "0" } },
    ).exited;
    expect(code).toBe(2);
    expect(output).toContain("│ fixture: failing on purpose before listening");
    expect(output).toContain("COULD NOT RUN");
    expect(output).not.toContain("\u001b");
    expect(output).not.toContain("hijacked\u0007");
  });

  it("rejects a malformed --url with exit 2", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["check", "--url", "ftp://x"], { cwd: dir.path }).exited;
    expect(code).toBe(2);
    expect(output).toContain("--url must be an http:// or https:// URL, not ftp://.");
  });
});

describe("session-lab helpers (built CLI)", () => {
  it("says how to get Redis, with exit 2, when the solution needs one and there is none", async () => {
    await using dir = await tempDir();
    const [closed] = await findFreePorts(1);
    const { code, output } = await runCli(["check", "--solution"], {
      cwd: dir.path,
      env: {
        REDIS_URL: undefined,
        SESSION_LAB_LOCAL_REDIS: `redis://127.0.0.1:${closed}`,
        PATH: dir.path,
      },
    }).exited;
    expect(code).toBe(2);
    expect(output).toContain("redis-server is not installed.");
    expect(output).toContain("apt-get install redis-server");
  });

  it("never prints a Redis password", async () => {
    await using dir = await tempDir();
    const [closed] = await findFreePorts(1);
    const { code, output } = await runCli(
      ["check", "--solution", "--redis-url", `redis://ada:s3cret@127.0.0.1:${closed}`],
      { cwd: dir.path },
    ).exited;
    expect(code).toBe(2);
    expect(output).toContain("redis://ada:***@127.0.0.1");
    expect(output).not.toContain("s3cret");
  });

  it("reset refuses without a terminal unless --yes, then resets", async () => {
    await using dir = await tempDir();
    await runCli(["hint"], { cwd: dir.path }).exited; // creates the workspace
    await runCli(["check", "--redis-url", inject("redisUrl")], { cwd: dir.path }).exited;
    const refused = await runCli(["reset"], { cwd: dir.path }).exited;
    expect(refused.code).toBe(2);
    expect(refused.output).toContain("Run it again with --yes");
    const done = await runCli(["reset", "--yes", "--redis-url", inject("redisUrl")], {
      cwd: dir.path,
    }).exited;
    expect(done.code).toBe(0);
    expect(done.output).toMatch(
      /✔ Backed up 01-shared-sessions to workshop\/\.session-lab\/backups\/[\dT-]+Z\//,
    );
    expect(done.output).toContain("✔ Restored 01-shared-sessions from the starter");
  });

  it("hint shows one more hint each time, remembered in the workspace", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "workshop"));
    const first = await runCli(["hint"], { cwd: dir.path }).exited;
    const second = await runCli(["hint", "01"], { cwd: dir.path }).exited;
    expect(first.output).toContain("Hint 1/4 for 01-shared-sessions");
    expect(second.output).toContain("Hint 2/4 for 01-shared-sessions");
  });

  it("doctor exits 0 when all is well and 2 with a port taken", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const good = await runCli(
      ["doctor", "--port", String(ports[0]), "--redis-url", inject("redisUrl")],
      {
        cwd: dir.path,
      },
    ).exited;
    expect(good.code).toBe(0);
    expect(good.output).toContain("All good.");
    const blocker = createServer().listen(ports[1], "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    try {
      const bad = await runCli(["doctor", "--port", String(ports[0])], { cwd: dir.path }).exited;
      expect(bad.code).toBe(2);
      // Which program holds it: here, this test's own process.
      expect(bad.output).toContain(`✘ ports      ${ports[1]} (pid ${process.pid}, `);
      expect(bad.output).toMatch(/\) in use\n/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe("bad input is met with one sentence, exit 2 and nothing started", () => {
  it.each([
    [["start", "--cmd", "pyhton3 app.py"], 'The command "pyhton3" in --cmd was not found.'],
    [
      ["check", "--dir", "/nonexistent/workspace"],
      "The workspace folder /nonexistent/workspace does not exist, and neither does /nonexistent.",
    ],
    [
      ["start", "--timeout", "-1"],
      "--timeout must be a number of seconds between 0 and 600, not -1.",
    ],
    [
      ["start", "--upstream-timeout", "0"],
      "--upstream-timeout must be a number of seconds between 0.001 and 3600, not 0.",
    ],
    [["start", "-n", "40"], "--instances must be between 1 and 32, not 40."],
    [["start", "--port", "70000"], "--port must be between 1 and 65535, not 70000."],
    [
      ["check", "--cmd", "node x.js", "--solution"],
      "error: option '--cmd <command>' cannot be used with option '--solution'",
    ],
    [["reset", "--undo", "--all", "--yes"], "--undo and --all cannot be used together."],
  ])("%j", async (args, message) => {
    await using dir = await tempDir();
    const run = runCli(args, { cwd: dir.path });
    const { code, output } = await run.exited;
    expect(code).toBe(2);
    expect(output).toContain(message);
    expect(output).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir.path, "workshop", "01-shared-sessions"))).toBe(false);
  });
});

describe("one rule for which exercise", () => {
  it("after 01 passes inside a running start, bare commands stay on 01 and say so", async () => {
    await using dir = await tempDir();
    const redis = inject("redisUrl");
    const ports = await findFreePorts(3);
    const running = runCli(["start", "--port", String(ports[0]), "--redis-url", redis], {
      cwd: dir.path,
    });
    const run = (args: string[]) => runCli(args, { cwd: dir.path }).exited;
    try {
      await running.waitForOutput(/round-robin over 2 instances/);
      const applied = await run(["solution", "--apply"]);
      expect(applied.code).toBe(0);
      expect(applied.output.split("\n")[0]).toMatch(/^session-lab solution · 01-shared-sessions /);

      const passed = await run(["check", "--redis-url", redis]);
      expect(passed.code).toBe(0);
      expect(passed.output.split("\n")[0]).toBe(
        "session-lab check · 01-shared-sessions (Shared sessions)",
      );
      expect(passed.output).toMatch(
        /➜ {2}Next: 02-logout-everywhere \(Log out everywhere\): .*start 02; until then every command stays on 01-shared-sessions\./,
      );

      // A bare check is still about 01: no 02 copied, no 02 graded.
      const again = await run(["check", "--redis-url", redis]);
      expect(again.code).toBe(0);
      expect(again.output.split("\n")[0]).toContain("01-shared-sessions");
      expect(existsSync(join(dir.path, "workshop", "02-logout-everywhere"))).toBe(false);
      expect((await run(["hint"])).output.split("\n")[0]).toContain(
        "Hint 1/4 for 01-shared-sessions",
      );
      expect((await run(["solution"])).output.split("\n")[0]).toContain("01-shared-sessions");

      // Another exercise, named while the start runs 01: done as asked, and said.
      const other = await run(["check", "02", "--redis-url", redis]);
      expect(other.output.split("\n")[0]).toContain("02-logout-everywhere");
      expect(other.output).toMatch(
        /⚠ A `start` runs 01-shared-sessions in this workspace \(pid \d+\); this check is of 02-logout-everywhere, as asked, and the workspace stays on 01-shared-sessions/,
      );
      expect((await run(["hint"])).output).toContain("Hint 2/4 for 01-shared-sessions");
    } finally {
      running.child.kill("SIGINT");
      await running.exited;
    }
  });
});

describe("the true reason, and what to do next", () => {
  it("--port 80 as a normal user: a permission, not a port in use; nothing created", async () => {
    await using dir = await tempDir();
    const { chmod } = await import("node:fs/promises");
    await chmod(dir.path, 0o777);
    const args = [binPath, "start", "--port", "80", "--redis-url", inject("redisUrl")];
    // The suite may run as root, who may listen on 80: the command runs as nobody.
    const asUser: [string, string[]] =
      process.getuid?.() === 0
        ? [
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, ...args],
          ]
        : [process.execPath, args];
    const { code, output } = await runCli([], {
      cwd: dir.path,
      env: { ...process.env, NO_COLOR: "1", HOME: dir.path },
      spawnAs: asUser,
    }).exited;
    expect(code).toBe(2);
    expect(output).toContain("Port 80 (the proxy) cannot be used: ports below 1024 need root.");
    expect(output).toContain("--port 5000");
    expect(output).not.toContain("already in use");
    expect(existsSync(join(dir.path, "workshop"))).toBe(false);
  });

  it("a port held by this workspace's own start is named as such; doctor says all is well", async () => {
    await using dir = await tempDir();
    const ports = await findFreePorts(3);
    const redis = inject("redisUrl");
    const running = runCli(["start", "--port", String(ports[0]), "--redis-url", redis], {
      cwd: dir.path,
    });
    try {
      await running.waitForOutput(/round-robin over 2 instances/);
      const second = await runCli(["start", "--port", String(ports[0]), "--redis-url", redis], {
        cwd: dir.path,
      }).exited;
      expect(second.code).toBe(2);
      expect(second.output).toMatch(
        new RegExp(
          `Port ${ports[0]} \\(the proxy\\) is taken by your own session-lab start in this workspace \\(pid ${running.child.pid}, running 01-shared-sessions\\)\\.`,
        ),
      );
      const doctor = await runCli(["doctor", "--port", String(ports[0]), "--redis-url", redis], {
        cwd: dir.path,
      }).exited;
      expect(doctor.code).toBe(0);
      expect(doctor.output).toContain(
        `✔ ports      ${ports.join(", ")} are your running session-lab start's (pid ${running.child.pid}, 01-shared-sessions)`,
      );
    } finally {
      running.child.kill("SIGINT");
      await running.exited;
    }
  });

  it("doctor judges a workspace as start does", async () => {
    await using dir = await tempDir();
    const [start, doctor] = await Promise.all([
      runCli(["start", "--dir", "/nonexistent/workspace"], { cwd: dir.path }).exited,
      runCli(["doctor", "--dir", "/nonexistent/workspace"], { cwd: dir.path }).exited,
    ]);
    const sentence =
      "The workspace folder /nonexistent/workspace does not exist, and neither does /nonexistent.";
    expect(start.output).toContain(sentence);
    expect(doctor.code).toBe(2);
    expect(doctor.output).toContain(`✘ workspace  ${sentence}`);
    expect(doctor.output).not.toContain("can be created");
  });

  it.each([
    ["exit 3", /exited with code 3 before it answered, and printed nothing\./, /see why it stops/],
    [
      "true",
      /exited with code 0 before it answered, and printed nothing\./,
      /keep it running, not return/,
    ],
  ])(
    "--cmd %j: the app's end, not a missing command or a log to read",
    async (cmd, message, hint) => {
      await using dir = await tempDir();
      const ports = await findFreePorts(3);
      const { code, output } = await runCli(["start", "--port", String(ports[0]), "--cmd", cmd], {
        cwd: dir.path,
      }).exited;
      expect(code).toBe(2);
      expect(output).toMatch(message);
      expect(output).toMatch(hint);
      expect(output).not.toContain("was not found");
      expect(output).not.toContain("log above");
    },
  );
});

describe("the Flask track speaks Flask", () => {
  it("its check's hints name Flask-Session and redis-py, its brief and hint its own exercise", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(
      ["check", "01-shared-sessions-flask", "--redis-url", inject("redisUrl")],
      { cwd: dir.path },
    ).exited;
    expect(code).toBe(1);
    expect(output.split("\n")[0]).toContain("01-shared-sessions-flask");
    expect(output).toMatch(
      /hint: {2}Keep the sessions in a store every instance shares: Redis, through Flask-Session's Redis store/,
    );
    for (const node of [
      "connect-redis",
      "express-session",
      "ioredis",
      "req.session",
      "process.env",
    ])
      expect(output).not.toContain(node);
    // The brief's "check your work" grades this exercise, not the Node one.
    const { readFile } = await import("node:fs/promises");
    const brief = await readFile(
      join(dir.path, "workshop", "01-shared-sessions-flask", "README.md"),
      "utf8",
    );
    expect(brief).toContain("npx session-lab check 01-shared-sessions-flask");
    expect(brief).not.toMatch(/npx session-lab check +#/);
    // The "Stuck?" line's hint is this exercise's: the workspace is on it now.
    const stuck = /Stuck\? `([^`]+)`/.exec(output)?.[1] ?? "";
    const hint = await runCli(stuck.split(" ").slice(2), { cwd: dir.path }).exited;
    expect(hint.output).toContain("Hint 1/4 for 01-shared-sessions-flask");
  });
});

describe("small things an attendee trips over", () => {
  it("the last hint points to the solution, and says so when shown again", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "workshop"));
    const outputs: string[] = [];
    for (let i = 0; i < 5; i++)
      outputs.push((await runCli(["hint"], { cwd: dir.path }).exited).output);
    expect(outputs[2]).not.toContain("last hint");
    expect(outputs[3]).toContain("Hint 4/4 for 01-shared-sessions:");
    expect(outputs[3]).toMatch(
      /That was the last hint\. `.*solution` shows how the reference solution differs/,
    );
    expect(outputs[4]).toContain("Hint 4/4 for 01-shared-sessions (the last one, again):");
  });

  it("solution --apply --yes is accepted, as reset's --yes is", async () => {
    await using dir = await tempDir();
    const { code, output } = await runCli(["solution", "--apply", "--yes"], { cwd: dir.path })
      .exited;
    expect(output).not.toContain("unknown option");
    expect(code).toBe(0);
    expect(output).toContain("✔ Restored 01-shared-sessions from the reference solution");
  });
});
