import { describe, expect, it } from "vitest";
import { CookieJar, sessionIdCandidates } from "../../src/client/cookies.js";

const URL = "http://127.0.0.1:5000/";

describe("CookieJar, as a browser keeps cookies over plain http", () => {
  it.each([
    ["a plain session cookie", "sid=abc; Path=/; HttpOnly", "sid=abc", undefined],
    ["a cookie without Path", "sid=abc", "sid=abc", undefined],
    ["Secure over http", "sid=abc; Path=/; Secure", undefined, /Secure/],
    ["a Path that excludes /", "sid=abc; Path=/admin", undefined, undefined],
    ["a Domain that does not match", "sid=abc; Domain=example.com", undefined, /domain/],
    ["SameSite=None without Secure", "sid=abc; SameSite=None", undefined, /SameSite=None/],
    ["already expired by Max-Age", "sid=abc; Max-Age=0", undefined, undefined],
    [
      "already expired by Expires",
      "sid=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
      undefined,
      undefined,
    ],
  ])("%s: sends %s", (_name, line, sent, rejected) => {
    const jar = new CookieJar();
    expect(jar.accept([line], URL)).toEqual(["sid"]);
    expect(jar.header(URL)).toBe(sent);
    if (rejected) expect(jar.rejected[0]?.reason).toMatch(rejected);
    else expect(jar.rejected).toEqual([]);
  });

  it("replaces a cookie of the same name, and keeps several", () => {
    const jar = new CookieJar();
    jar.accept(["a=1; Path=/", "b=2; Path=/"], URL);
    jar.accept(["a=3; Path=/"], URL);
    expect(jar.header(URL)).toBe("a=3; b=2");
    expect(jar.values().sort()).toEqual(["2", "3"]);
  });

  it("forgets a cookie the server expires", () => {
    const jar = new CookieJar();
    jar.accept(["sid=abc; Path=/"], URL);
    jar.accept(["sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], URL);
    expect(jar.header(URL)).toBeUndefined();
  });
});

describe("sessionIdCandidates", () => {
  it.each([
    ["express-session, signed and URL-encoded", "s%3Aabcdef123456.sig%2Bnature", "abcdef123456"],
    ["express-session, decoded", "s:abcdef123456.signature", "abcdef123456"],
    ["Flask-Session, a bare id", "0f1e2d3c-4b5a-6978", "0f1e2d3c-4b5a-6978"],
    ["a quoted id", '"abcdef123456"', "abcdef123456"],
  ])("%s", (_name, value, id) => {
    expect(sessionIdCandidates(value)[0]).toBe(id);
  });

  it("ignores values too short to be an id", () => {
    expect(sessionIdCandidates("1")).toEqual([]);
  });
});

describe("CookieJar.replaced", () => {
  it.each([
    ["a new value for a cookie held", ["sid=1; Path=/", "sid=2; Path=/"], ["sid"]],
    ["the same value again", ["sid=1; Path=/", "sid=1; Path=/; HttpOnly"], []],
    ["a first cookie", ["sid=1; Path=/"], []],
    ["a cookie cleared on purpose", ["sid=1; Path=/", "sid=; Path=/; Max-Age=0"], []],
  ])("%s", (_name, lines, replaced) => {
    const jar = new CookieJar();
    for (const line of lines) jar.accept([line], URL);
    expect(jar.replaced).toEqual(replaced);
  });
});
