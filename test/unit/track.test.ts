import { describe, expect, it } from "vitest";
import * as hints from "../../src/diagnosis/hints.js";
import { hintFor, type TrackText, trackOf } from "../../src/model/track.js";

const NODE_WORDS = /connect-redis|express|ioredis|req\.session|process\.env|maxAge|@fastify/;
const FLASK_WORDS = /Flask|redis-py|os\.environ|SESSION_COOKIE|PERMANENT_SESSION/;

const trackTexts: [string, string | TrackText][] = Object.entries(hints).flatMap(
  ([name, value]): [string, string | TrackText][] =>
    name === "ATTRIBUTE_HINTS"
      ? (value as readonly [RegExp, string | TrackText][]).map(([re, hint]) => [
          `${name} ${re}`,
          hint,
        ])
      : [[name, value as TrackText]],
);

describe("hints in the words of the exercise's track", () => {
  it.each(trackTexts.filter(([, hint]) => typeof hint !== "string"))(
    "%s: the Flask text names no Node library, the Node one no Flask one",
    (_name, hint) => {
      expect(hintFor(hint, "python")).not.toMatch(NODE_WORDS);
      expect(hintFor(hint, "node")).not.toMatch(FLASK_WORDS);
    },
  );

  it("the shared-store hint, as each track reads it", () => {
    expect(hintFor(hints.SHARED_STORE_HINT, "node")).toContain("connect-redis");
    expect(hintFor(hints.SHARED_STORE_HINT, "python")).toContain("Flask-Session");
    expect(hintFor("Use Path=/.", "python")).toBe("Use Path=/.");
  });

  it.each([
    [{ runtime: "python" }, "python"],
    [{ runtime: "node" }, "node"],
    [{}, "node"],
  ] as const)("%j is on the %s track", (exercise, track) => {
    expect(trackOf(exercise)).toBe(track);
  });
});
