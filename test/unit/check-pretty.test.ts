import { describe, expect, it } from "vitest";
import type { LabEvent } from "../../src/events.js";
import { buildCheckReport } from "../../src/model/check-report.js";
import type { Observation, ScenarioResult } from "../../src/model/results.js";
import { createPrettyReporter } from "../../src/report/pretty.js";

const V = "sl-5f3a9c";
const obs = (path: string, port: number, shows: string, setCookie: string[] = []): Observation => ({
  client: "A",
  path,
  status: 200,
  port,
  shows,
  setCookie,
  ms: 2,
});

/** A check of the starter as it really goes: boot passes, sessions are split per instance. */
const scenarios: ScenarioResult[] = [
  {
    id: "boot",
    title: "every instance answers on its APP_PORT",
    status: "pass",
    summary: ":5001, :5002 answered in 240 ms",
    observations: [],
    ms: 240,
  },
  {
    id: "shared",
    title: "a value set through one instance is seen by all",
    status: "fail",
    summary: "set on :5001, missing on :5002",
    cause: "each instance reads its own session store",
    hint: "Keep the sessions in a store every instance shares.",
    instances: [
      { port: 5001, saw: true },
      { port: 5002, saw: false },
    ],
    observations: [
      obs(`/session/set/${V}`, 5001, V, ["connect.sid"]),
      obs("/", 5002, ""),
      obs("/", 5001, V),
      obs("/", 5002, ""),
    ],
    ms: 31,
  },
  {
    id: "unset",
    title: "an unset value is gone from every instance",
    status: "fail",
    summary: "unset on :5002 but still visible on :5001",
    cause: "each instance has its own copy of the session",
    observations: [],
    ms: 20,
  },
];

function render(events: LabEvent[]): string {
  let text = "";
  const emit = createPrettyReporter({
    out: {
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    color: false,
  });
  for (const event of events) emit(event);
  return text;
}

describe("the terminal report of a check", () => {
  it("shows the first failure with its trace, cause and hint, later ones with their cause", () => {
    const report = buildCheckReport({
      exercise: { id: "01-shared-sessions", title: "Shared sessions" },
      target: { kind: "cluster", url: "http://127.0.0.1:5000/", redis: "redis://127.0.0.1:6379" },
      instances: [5001, 5002],
      scenarios,
      advisories: [],
      durationMs: 1234,
      finishedAt: "2026-11-26T10:00:00.000Z",
    });
    const text = render([
      {
        type: "check:begin",
        exercise: "01-shared-sessions",
        title: "Shared sessions",
        target: "2 instances of node app.mjs",
        redis: "redis://127.0.0.1:6379",
      },
      ...scenarios.map((result) => ({ type: "scenario" as const, result })),
      { type: "check:end", report },
    ]);
    expect(text).toMatchInlineSnapshot(`
      "
      session-lab check · 01-shared-sessions (Shared sessions)
        2 instances of node app.mjs · Redis redis://127.0.0.1:6379

        ✔ boot            :5001, :5002 answered in 240 ms
        ✘ shared          set on :5001, missing on :5002
            per instance: :5001 saw it · :5002 did not
            A  GET /session/set/sl-5f3a9c  → :5001  shows the value  set-cookie connect.sid
            A  GET /                       → :5002  no value
            A  GET /                       → :5001  shows the value
            A  GET /                       → :5002  no value
            cause: each instance reads its own session store
            hint:  Keep the sessions in a store every instance shares.
        ✘ unset           unset on :5002 but still visible on :5001
            cause: each instance has its own copy of the session

      ✘ FAIL  each instance reads its own session store (1.2 s)
         Stuck? \`session-lab hint\` shows the next hint.
      "
    `);
  });
});

describe("which exercise, said at the terminal", () => {
  const report = buildCheckReport({
    exercise: { id: "01-shared-sessions-flask", title: "Shared sessions, Flask" },
    target: { kind: "cluster", url: "http://127.0.0.1:5000/", redis: "redis://127.0.0.1:6379" },
    instances: [5001, 5002],
    scenarios,
    advisories: [],
    durationMs: 900,
    finishedAt: "2026-11-26T10:00:00.000Z",
  });

  it("check names its exercise first, before the lab is set up", () => {
    const text = render([
      {
        type: "exercise:chosen",
        command: "check",
        exercise: "01-shared-sessions-flask",
        title: "Shared sessions, Flask",
      },
      { type: "workspace:folder-created", dir: "workshop" },
      {
        type: "check:begin",
        exercise: "01-shared-sessions-flask",
        title: "Shared sessions, Flask",
        target: "2 instances of python3 app.py",
        redis: "redis://127.0.0.1:6379",
      },
    ]);
    expect(text).toBe(
      [
        "session-lab check · 01-shared-sessions-flask (Shared sessions, Flask)",
        "✔ Created the workspace folder workshop/",
        "  2 instances of python3 app.py · Redis redis://127.0.0.1:6379",
        "",
        "",
      ].join("\n"),
    );
  });

  it("the hint line names the exercise when a bare hint would mean another", () => {
    const text = render([
      { type: "check:end", report, hint: { command: "session-lab hint 01-shared-sessions-flask" } },
    ]);
    expect(text).toContain(
      "Stuck? `session-lab hint 01-shared-sessions-flask` shows the next hint.",
    );
    expect(render([{ type: "check:end", report, hint: { key: "h" } }])).toContain(
      "Stuck? Press h for the next hint.",
    );
  });

  it("after a pass: one line saying what comes next and where the workspace stays", () => {
    const next = {
      type: "exercise:next" as const,
      id: "02-logout-everywhere",
      title: "Log out everywhere",
      command: "session-lab start 02",
      current: "01-shared-sessions",
    };
    expect(render([{ ...next, running: false }])).toBe(
      "  ➜  Next: 02-logout-everywhere (Log out everywhere): session-lab start 02; until then every command stays on 01-shared-sessions.\n",
    );
    expect(render([{ ...next, running: true }])).toContain(
      ": quit (q), then session-lab start 02;",
    );
  });

  it("the last hint says where to look next; shown again, it says so", () => {
    const hint = {
      type: "hint" as const,
      exercise: "01-shared-sessions",
      number: 4,
      total: 4,
      text: "Use connect-redis.",
      solution: "session-lab solution",
    };
    const last = render([{ ...hint, repeated: false }]);
    expect(last).toContain(
      "That was the last hint. `session-lab solution` shows how the reference solution differs from the starter.",
    );
    expect(render([{ ...hint, repeated: true }])).toContain(
      "Hint 4/4 for 01-shared-sessions (the last one, again):",
    );
  });
});
