import { describe, expect, it } from "vitest";
import { upstreamRequestHeaders, withoutHopByHop } from "../../src/proxy/headers.js";

describe("withoutHopByHop", () => {
  it("drops hop-by-hop headers and the ones Connection names", () => {
    expect(
      withoutHopByHop({
        connection: "keep-alive, X-Private",
        "keep-alive": "timeout=5",
        "x-private": "secret",
        "proxy-connection": "keep-alive",
        te: "trailers",
        "transfer-encoding": "chunked",
        upgrade: "websocket",
        "content-type": "text/html",
        "set-cookie": ["a=1", "b=2", "c=3"],
      }),
    ).toEqual({ "content-type": "text/html", "set-cookie": ["a=1", "b=2", "c=3"] });
  });
});

describe("upstreamRequestHeaders", () => {
  it("adds X-Forwarded-For, -Proto and -Host and drops Expect", () => {
    expect(
      upstreamRequestHeaders(
        { host: "localhost:5000", expect: "100-continue", cookie: "sid=1" },
        "127.0.0.1",
      ),
    ).toEqual({
      host: "localhost:5000",
      cookie: "sid=1",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "localhost:5000",
    });
  });

  it("replaces a client's X-Forwarded-Host and -Proto: the proxy knows them", () => {
    const headers = upstreamRequestHeaders(
      { host: "127.0.0.1:5000", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      "127.0.0.1",
    );
    expect(headers["x-forwarded-host"]).toBe("127.0.0.1:5000");
    expect(headers["x-forwarded-proto"]).toBe("http");
  });

  it("keeps the lab's own client mark from the app", () => {
    const headers = upstreamRequestHeaders(
      { host: "127.0.0.1:5000", "x-session-lab-client": "check", cookie: "sid=1" },
      "127.0.0.1",
    );
    expect(headers["x-session-lab-client"]).toBeUndefined();
    expect(headers.cookie).toBe("sid=1");
  });

  it("appends the client to an existing X-Forwarded-For chain", () => {
    expect(
      upstreamRequestHeaders({ "x-forwarded-for": "10.0.0.1" }, "127.0.0.1")["x-forwarded-for"],
    ).toBe("10.0.0.1, 127.0.0.1");
  });
});
