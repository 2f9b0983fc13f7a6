import type { IncomingHttpHeaders } from "node:http";

/** Headers that describe one connection, not the message; a proxy must not forward them. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

type HeaderValue = string | string[] | undefined;

/** Copies headers without the hop-by-hop ones, including any that Connection names. */
export function withoutHopByHop(
  headers: Readonly<Record<string, HeaderValue>>,
): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

/** The request headers sent to an instance: end-to-end ones plus X-Forwarded-*. */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  clientAddress: string | undefined,
): Record<string, string | string[]> {
  const headers = withoutHopByHop(incoming);
  // Node's server answers `Expect: 100-continue` itself; the instance gets a plain request.
  delete headers.expect;
  const previous = incoming["x-forwarded-for"];
  const chain = [previous, clientAddress].filter(Boolean).join(", ");
  if (chain) headers["x-forwarded-for"] = chain;
  headers["x-forwarded-proto"] = String(incoming["x-forwarded-proto"] ?? "http");
  if (incoming.host)
    headers["x-forwarded-host"] = String(incoming["x-forwarded-host"] ?? incoming.host);
  return headers;
}
