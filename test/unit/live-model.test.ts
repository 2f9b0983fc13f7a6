import { describe, expect, it } from "vitest";
import { applyLabEvent } from "../../src/web/live-lab-events.js";
import {
  applyExchange,
  emptyLive,
  type LiveExchange,
  type LiveState,
} from "../../src/web/live-model.js";
import { pageShows, visitorId } from "../../src/web/live-text.js";
import { liveView } from "../../src/web/live-view.js";

const A = { index: 1, port: 5001 };
const B = { index: 2, port: 5002 };
const page = (value?: string) =>
  `<p>${value ? `Session value: <strong id="value">${value}</strong>` : "No session value is set."}</p><a href="/session/set/hello">set "hello"</a>`;

function ex(path: string, instance: typeof A, extra: Partial<LiveExchange> = {}): LiveExchange {
  const e = {
    at: 1000,
    method: "GET",
    path,
    instance,
    status: 200,
    ms: 3,
    cookie: "sid=1",
    setCookies: [],
    body: undefined,
    ...extra,
  };
  return { start: e.at - e.ms, ...e };
}

function fold(exchanges: LiveExchange[]): LiveState {
  return exchanges.reduce(applyExchange, emptyLive([A, B]));
}

describe("pageShows", () => {
  it.each([
    [page("hello"), "hello", true],
    [page(), "hello", false],
    ["<p>Session value: <strong>a&amp;b</strong></p>", "a&b", true],
    ["value: hello (plain text)", "hello", true],
    ["nothing here", "hello", false],
  ])("%j shows %j: %s", (body, value, shows) => {
    expect(pageShows(body, value)).toBe(shows);
  });
});

describe("the live page's state", () => {
  it("marks a read lost when the page does not show the visitor's value, per instance", () => {
    const state = fold([
      ex("/session/set/hello", A, {
        cookie: undefined,
        setCookies: ["sid=1; Path=/"],
        body: page("hello"),
      }),
      ex("/", B, { body: page() }),
      ex("/", A, { body: page("hello") }),
    ]);
    const view = liveView(state);
    expect(view.feed.map((f) => f.shows)).toEqual([true, false, undefined]);
    expect(view.instances).toMatchObject([
      { port: 5001, served: 2, reads: 1, lost: 0 },
      { port: 5002, served: 1, reads: 1, lost: 1 },
    ]);
    expect(view.lost).toBe(1);
    expect(view.visitors[0]).toMatchObject({ id: visitorId("sid=1"), value: "hello" });
    expect(view.visitors[0]?.seen.map((s) => [s.port, s.shows])).toEqual([
      [5001, undefined],
      [5002, false],
      [5001, true],
    ]);
  });

  it("forgets the value on unset, and knows nothing of visitors without a cookie", () => {
    const state = fold([
      ex("/session/set/x", A, { body: page("x") }),
      ex("/session/unset/", B),
      ex("/", A, { body: page() }),
      ex("/", B, { cookie: undefined, body: page() }),
    ]);
    expect(liveView(state).feed.map((f) => f.shows)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("keeps the check's and load's requests apart from the browser's, and the set value", () => {
    const state = fold([
      ex("/session/set/mine", A, { cookie: undefined, setCookies: ["sid=1; Path=/"] }),
      ex("/", B, { body: page() }),
      ex("/session/set/probe", A, { cookie: "sid=check", source: "check" }),
      ex("/", B, { cookie: "sid=check", source: "check", body: page() }),
      ex("/", A, { cookie: "sid=check", source: "check", body: page("probe") }),
      ex("/session/set/l", B, { at: 2000, cookie: "sid=load", source: "load" }),
    ]);
    const view = liveView(state);
    expect([view.requests, view.lost]).toEqual([2, 1]);
    expect(view.labTraffic).toEqual({
      check: { requests: 3, lost: 1 },
      load: { requests: 1, lost: 0 },
    });
    expect(view.feed.map((f) => [f.path, f.set])).toEqual([
      ["/", undefined],
      ["/session/set/mine", "mine"],
    ]);
    expect(view.labFeed.map((f) => f.source)).toEqual(["load", "check", "check", "check"]);
    expect(view.visitors.map((v) => v.id)).toEqual([visitorId("sid=1")]);
    expect(view.labVisitors.map((v) => v.id)).toEqual([
      visitorId("sid=load"),
      visitorId("sid=check"),
    ]);
    expect(view.instances).toMatchObject([
      { port: 5001, served: 1, reads: 0, lost: 0, lab: { served: 2, reads: 1, lost: 0 } },
      { port: 5002, served: 1, reads: 1, lost: 1, lab: { served: 2, reads: 1, lost: 1 } },
    ]);
  });

  it("counts requests per instance and second for the charts", () => {
    const state = fold([ex("/", A), ex("/", A, { at: 1500 }), ex("/", B, { at: 2100 })]);
    expect(liveView(state).chart).toMatchObject({
      seconds: [1, 2],
      ports: [5001, 5002],
      rps: [
        [2, 0],
        [0, 1],
      ],
    });
  });

  it.each([
    [{ type: "instance:ready", instance: A, ms: 5 }, ["up", "starting"]],
    [
      {
        type: "instance:exit",
        instance: B,
        code: 1,
        signal: null,
        expected: false,
        wasReady: true,
        lastLines: [],
      },
      ["starting", "down"],
    ],
    [{ type: "cluster:restarting", reason: "key" }, ["restarting", "restarting"]],
  ] as const)("instances follow the lab: %o", (event, statuses) => {
    expect(applyLabEvent(emptyLive([A, B]), event).instances.map((i) => i.status)).toEqual(
      statuses,
    );
  });
});
