/** A TCP connection and the process holding it. */
export interface TcpConnection {
  readonly pid: number;
  /** As the peer sees this end: "127.0.0.1", "::1" (IPv4-mapped IPv6 written as IPv4). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * Parses `lsof -F pn` output: a "p<pid>" line starts each process, then one "n<name>" line
 * per file, a connection's name being "local->remote" ("127.0.0.1:5000->127.0.0.1:6379",
 * "[::1]:5000->[::1]:6379"). Other field lines (macOS adds "f<fd>") and names that are not
 * connections (a listening "*:5000") are skipped.
 */
export function parseLsofConnections(text: string): TcpConnection[] {
  const found: TcpConnection[] = [];
  let pid: number | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("p")) {
      const n = Number(line.slice(1));
      pid = Number.isInteger(n) && n > 0 ? n : undefined;
      continue;
    }
    if (!line.startsWith("n") || pid === undefined) continue;
    const [local, remote] = line.slice(1).split("->");
    const from = parseHostPort(local);
    const to = parseHostPort(remote);
    if (!from || !to) continue;
    found.push({
      pid,
      localAddress: from.address,
      localPort: from.port,
      remoteAddress: to.address,
      remotePort: to.port,
    });
  }
  return found;
}

/** "127.0.0.1:5000" or "[::1]:5000" (IPv6 in brackets); undefined for "*:5000" and the like. */
function parseHostPort(text: string | undefined): { address: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([0-9.]+)):(\d+)$/.exec(text ?? "");
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port <= 0 || port > 65535) return undefined;
  return { address: unmapIpv4(match[1] ?? match[2] ?? ""), port };
}

/** "::ffff:127.0.0.1" → "127.0.0.1": an IPv4 peer of a dual-stack socket, as Redis reports it. */
export function unmapIpv4(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * Parses `lsof -F pn` output of listening sockets (`-sTCP:LISTEN`): a "p<pid>" line, then a
 * "n<name>" line per socket, "*:5000", "127.0.0.1:5000", "[::1]:5000". Each pid and port once.
 */
export function parseLsofListeners(text: string): { pid: number; port: number }[] {
  const found: { pid: number; port: number }[] = [];
  let pid: number | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("p")) {
      const n = Number(line.slice(1));
      pid = Number.isInteger(n) && n > 0 ? n : undefined;
      continue;
    }
    if (!line.startsWith("n") || pid === undefined) continue;
    const match = /^(?:\*|\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(line.slice(1).trim());
    const port = Number(match?.[1]);
    if (!match || port <= 0 || port > 65535) continue;
    if (!found.some((f) => f.pid === pid && f.port === port)) found.push({ pid, port });
  }
  return found;
}
