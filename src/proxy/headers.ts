import type { IncomingHttpHeaders } from "node:http";
import { LAB_CLIENT_HEADER } from "../model/traffic.js";

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
  skip?: string,
): Record<string, string | string[]> {
  const named = namedByConnection(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    // Node and undici hand over lower-case names already.
    if (value === undefined || name === skip || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The extra header names a Connection header lists. On the hot path it usually says just
 * "keep-alive" or "close", which name nothing to drop: no set is built then.
 */
function namedByConnection(connection: HeaderValue): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const value = String(connection).toLowerCase();
  if (value === "keep-alive" || value === "close") return undefined;
  return new Set(
    value
      .split(",")
      .map((token) => token.trim())
      .filter(Boolean),
  );
}

/**
 * The request headers sent to an instance: end-to-end ones plus X-Forwarded-*. The proxy
 * speaks plain http and knows the Host it was asked for, so a client's X-Forwarded-Proto and
 * -Host are replaced (an app trusting them could be fooled); X-Forwarded-For is appended to.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  clientAddress: string | undefined,
): Record<string, string | string[]> {
  // Node's server answers `Expect: 100-continue` itself; the instance gets a plain request.
  const headers = withoutHopByHop(incoming, "expect");
  // The lab's own clients mark their requests for the live page; the app never sees the mark.
  delete headers[LAB_CLIENT_HEADER];
  const previous = incoming["x-forwarded-for"];
  const chain = [previous, clientAddress].filter(Boolean).join(", ");
  if (chain) headers["x-forwarded-for"] = chain;
  headers["x-forwarded-proto"] = "http";
  if (incoming.host) headers["x-forwarded-host"] = incoming.host;
  else delete headers["x-forwarded-host"];
  return headers;
}
