import { describe, expect, it } from "vitest";
import {
  descendantsOf,
  parseLsofConnections,
  parsePsParents,
  unmapIpv4,
} from "../../src/processes/lsof-parse.js";

// Recorded on Linux (lsof 4.95): `lsof -nP -a -iTCP -sTCP:ESTABLISHED -p <pid> -F pn`.
const LINUX = "p11458\nn127.0.0.1:47718->127.0.0.1:45369\nn[::1]:56568->[::1]:45369\n";
// Made up: an "f" line before each name (some lsof versions always add the fd field), an
// IPv4-mapped peer in brackets, an IPv6 zone, and a listener, which is no connection.
const OTHER = [
  "p501",
  "f23",
  "n127.0.0.1:50001->127.0.0.1:6379",
  "f24",
  "n[::ffff:127.0.0.1]:50002->[::ffff:127.0.0.1]:6379",
  "p502",
  "f7",
  "n[fe80::1%lo0]:50003->[fe80::1%lo0]:6379",
  "f8",
  "n*:5000",
  "",
].join("\n");

describe("parseLsofConnections", () => {
  it.each([
    [
      "Linux, IPv4 and IPv6",
      LINUX,
      [
        {
          pid: 11458,
          localAddress: "127.0.0.1",
          localPort: 47718,
          remoteAddress: "127.0.0.1",
          remotePort: 45369,
        },
        {
          pid: 11458,
          localAddress: "::1",
          localPort: 56568,
          remoteAddress: "::1",
          remotePort: 45369,
        },
      ],
    ],
    [
      "fd lines, mapped IPv4, a zone, a listener skipped",
      OTHER,
      [
        {
          pid: 501,
          localAddress: "127.0.0.1",
          localPort: 50001,
          remoteAddress: "127.0.0.1",
          remotePort: 6379,
        },
        {
          pid: 501,
          localAddress: "127.0.0.1",
          localPort: 50002,
          remoteAddress: "127.0.0.1",
          remotePort: 6379,
        },
        {
          pid: 502,
          localAddress: "fe80::1%lo0",
          localPort: 50003,
          remoteAddress: "fe80::1%lo0",
          remotePort: 6379,
        },
      ],
    ],
    ["nothing found (lsof exits 1, prints nothing)", "", []],
    ["a name before any process", "n127.0.0.1:1->127.0.0.1:2\n", []],
    ["a port out of range", "p1\nn127.0.0.1:70000->127.0.0.1:2\n", []],
  ])("%s", (_, text, expected) => {
    expect(parseLsofConnections(text)).toEqual(expected);
  });
});

describe("unmapIpv4", () => {
  it.each([
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::FFFF:10.0.0.2", "10.0.0.2"],
    ["::1", "::1"],
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:7f00:1", "::ffff:7f00:1"],
  ])("%s → %s", (address, expected) => {
    expect(unmapIpv4(address)).toBe(expected);
  });
});

describe("processes and their descendants from ps", () => {
  // `ps -A -o pid= -o ppid=`: 10 runs 11 and 12; 12 runs 13; 20 is unrelated.
  const PS = "    1     0\n   10     1\n   11    10\n   12    10\n   13    12\n   20     1\n";

  it.each([
    [[10], [10, 11, 12, 13]],
    [
      [12, 20],
      [12, 20, 13],
    ],
    [[99], [99]],
    [[], []],
  ])("from %j: %j", (roots, expected) => {
    expect(descendantsOf(roots, parsePsParents(PS))).toEqual(expected);
  });

  it("skips lines that are not two numbers", () => {
    expect(parsePsParents("  PID  PPID\n 5 1\nzombie\n")).toEqual(new Map([[5, 1]]));
  });
});
