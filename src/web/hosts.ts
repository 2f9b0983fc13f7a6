import { hostname, networkInterfaces } from "node:os";

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The names a page bound to `bindHost` may be asked for by (a request's Host, without its
 * port): the loopback names, the bind address itself and, bound to every interface, this
 * machine's addresses and name. Never a name an outside DNS server chose.
 */
export function allowedHosts(bindHost: string): string[] {
  const everywhere = bindHost === "0.0.0.0" || bindHost === "::" || bindHost === "";
  const own = everywhere
    ? [
        hostname(),
        ...Object.values(networkInterfaces())
          .flat()
          .flatMap((a) => (a ? [a.address] : [])),
      ]
    : [];
  return [...new Set([...LOOPBACK, bindHost, ...own].map((h) => bracketed(h).toLowerCase()))];
}

/** Whether a Host header names one of `hosts`, with this port or none. Total: any string. */
export function hostAllowed(header: string, hosts: readonly string[], port: number): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header);
  if (!match) return false;
  const [, name = "", given] = match;
  return hosts.includes(name.toLowerCase()) && (given === undefined || Number(given) === port);
}

export function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Whether a host name or address means this machine alone (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h.endsWith(".localhost")
  );
}

/**
 * The addresses other machines can open a page bound to `bindHost` by: none on a loopback
 * address, this machine's outside IPv4 addresses when bound to every interface, else the
 * address itself.
 */
export function reachableHosts(bindHost: string): string[] {
  if (isLoopback(bindHost)) return [];
  if (bindHost === "0.0.0.0" || bindHost === "::" || bindHost === "")
    return Object.values(networkInterfaces())
      .flat()
      .flatMap((a) => (a && !a.internal && a.family === "IPv4" ? [a.address] : []));
  return [bracketed(bindHost)];
}
