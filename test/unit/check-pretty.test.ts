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
