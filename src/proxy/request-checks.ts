/** Why the proxy answers a request itself, without asking an instance. */
export interface Refusal {
  readonly status: 400;
  readonly text: string;
}

/**
 * The checks HAProxy and nginx make on a request that Node's parser accepts: more than one
 * Host header (RFC 9112 §3.2: 400), and an absolute-form target (`GET http://host/path`) whose
 * host is not the Host header's (HAProxy: 400). An absolute-form target whose host matches
 * is forwarded unchanged, as HAProxy forwards it. Total: any input gives an answer.
 */
export function refuseRequest(
  url: string | undefined,
  rawHeaders: readonly string[],
): Refusal | undefined {
  const hosts: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Only a 4-letter name is lower-cased (it runs for every header of every request).
    if (name.length === 4 && name.toLowerCase() === "host") hosts.push(rawHeaders[i + 1] ?? "");
  }
  if (hosts.length > 1) {
    return { status: 400, text: `The request has ${hosts.length} Host headers; send one.` };
  }
  if (!url || url.startsWith("/") || url === "*") return undefined;
  const target = parseAbsolute(url);
  if (!target) return { status: 400, text: "The request's target is not a path or an http URL." };
  const host = hosts[0];
  if (host !== undefined && !sameAuthority(target, host)) {
    return {
      status: 400,
      text: `The request asks for ${target.host} in its URL but ${host} in its Host header.`,
    };
  }
  return undefined;
}

function parseAbsolute(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `http://A:80/x` and `Host: a` name the same authority: case and the default port aside. */
function sameAuthority(target: URL, host: string): boolean {
  const defaultPort = target.protocol === "https:" ? ":443" : ":80";
  const wanted = host.trim().toLowerCase();
  const normalised = wanted.endsWith(defaultPort) ? wanted.slice(0, -defaultPort.length) : wanted;
  return target.host === normalised;
}
