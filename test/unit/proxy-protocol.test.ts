import { describe, expect, it } from "vitest";
import { otherLoopback } from "../../src/proxy/other-loopback.js";
import { refuseRequest } from "../../src/proxy/request-checks.js";

describe("refuseRequest: what the proxy answers itself, as HAProxy would", () => {
  it.each([
    ["/", ["Host", "a"], undefined],
    ["*", ["Host", "a"], undefined],
    ["/", ["Host", "a", "host", "b"], /2 Host headers/],
    ["/", ["Host", "a", "Host", "a"], /2 Host headers/],
    ["http://a/x", ["Host", "a"], undefined],
    ["http://A:80/x", ["Host", "a"], undefined],
    ["http://a/x", ["Host", "a:80"], undefined],
    ["https://a:443/x", ["Host", "a"], undefined],
    ["http://a:5000/x", ["Host", "a:5000"], undefined],
    ["http://[::1]:5000/x", ["Host", "[::1]:5000"], undefined],
    ["http://a:5000/x", ["Host", "a"], /asks for a:5000 in its URL but a in its Host header/],
    ["http://evil.example/", ["Host", "a"], /evil\.example/],
    ["https://a/x", ["Host", "a:80"], /in its Host header/],
    ["ftp://a/x", ["Host", "a"], /not a path or an http URL/],
    ["a/x", ["Host", "a"], /not a path or an http URL/],
    // HTTP/1.0 without Host: nothing to compare with, forwarded as HAProxy forwards it.
    ["http://a/x", [], undefined],
  ] as const)("%s with %j", (url, rawHeaders, expected) => {
    const refusal = refuseRequest(url, rawHeaders);
    if (expected === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toMatchObject({ status: 400, text: expect.stringMatching(expected) });
  });
});

describe("otherLoopback: where localhost may lead instead of the proxy", () => {
  it.each([
    ["127.0.0.1", "::1"],
    ["0.0.0.0", "::1"],
    ["::1", "127.0.0.1"],
    ["::", undefined],
    ["192.168.1.20", undefined],
  ])("%s -> %s", (host, other) => {
    expect(otherLoopback(host)).toBe(other);
  });
});
