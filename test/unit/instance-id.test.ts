import { describe, expect, it } from "vitest";
import { servedByPort } from "../../src/client/instance-id.js";

describe("servedByPort", () => {
  it.each([
    ["the lab proxy's header", { "x-served-by": "instance-2 :5002" }, "", 5002],
    ["another proxy's header with a port", { "x-backend": "app:8081" }, "", 8081],
    ["a header holding only the port", { "x-instance": "5003" }, "", 5003],
    ["a header list", { "x-server": ["edge", "web :5004"] }, "", 5004],
    ["the page, when no header names it", {}, "<p>Served by port <span>5001</span>.</p>", 5001],
    ["the header before the page", { "x-served-by": "instance-1 :5001" }, "port 5002", 5001],
    ["nothing names it", {}, "<p>hello</p>", null],
    ["a number that is no port", { "x-instance": "99999" }, "", null],
  ])("%s", (_name, headers, body, port) => {
    expect(servedByPort(headers, body)).toBe(port);
  });
});
