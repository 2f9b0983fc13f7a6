import { describe, expect, it } from "vitest";
import {
  parseLsofConnections,
  parseLsofListeners,
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

describe("parseLsofListeners", () => {
  it.each([
    // Recorded on Linux (lsof 4.95): `lsof -nP -iTCP:45369 -sTCP:LISTEN -F pn`, a server on
    // 127.0.0.1 and one on ::1 of the same process.
    [
      "Linux, IPv4 and IPv6 of one process",
      "p11457\nn127.0.0.1:45369\nn[::1]:45369\n",
      [{ pid: 11457, port: 45369 }],
    ],
    // As macOS prints ControlCenter's AirPlay Receiver (an "f" line before each name, on every
    // address): `lsof -nP -iTCP:5000 -sTCP:LISTEN -F pn`.
    [
      "macOS, AirPlay on *:5000 twice",
      "p512\nf9\nn*:5000\nf10\nn*:5000\n",
      [{ pid: 512, port: 5000 }],
    ],
    [
      "a forked server: two processes share the socket",
      "p700\nf3\nn*:8080\np701\nf3\nn*:8080\n",
      [
        { pid: 700, port: 8080 },
        { pid: 701, port: 8080 },
      ],
    ],
    ["nothing listens (lsof exits 1, prints nothing)", "", []],
    ["a connection is no listener's name", "p1\nn127.0.0.1:1->127.0.0.1:2\n", []],
    ["a port out of range", "p1\nn*:70000\n", []],
  ])("%s", (_, text, expected) => {
    expect(parseLsofListeners(text)).toEqual(expected);
  });
});
