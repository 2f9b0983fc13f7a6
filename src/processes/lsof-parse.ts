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

/** Parses `ps -A -o pid= -o ppid=`: one "pid ppid" pair a line, into pid → parent pid. */
export function parsePsParents(text: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match) parents.set(Number(match[1]), Number(match[2]));
  }
  return parents;
}

/** The roots and every process descending from them (roots first), given pid → parent pid. */
export function descendantsOf(roots: readonly number[], parents: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}
