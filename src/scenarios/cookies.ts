/** A client's cookies, as a browser keeps them: name -> value, replaced by each Set-Cookie. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes the Set-Cookie lines of a response; returns the names it set. */
  accept(setCookie: readonly string[]): string[] {
    const names: string[] = [];
    for (const line of setCookie) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = /;\s*max-age=0\b|;\s*expires=thu, 01 jan 1970/i.test(line) || value === "";
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
      names.push(name);
    }
    return names;
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  values(): string[] {
    return [...this.#cookies.values()];
  }
}

/**
 * The session ids a cookie value may carry, most specific first: express-session signs
 * them as `s:<id>.<signature>` (URL-encoded), Flask-Session and others send the bare id.
 */
export function sessionIdCandidates(cookieValue: string): string[] {
  let decoded = cookieValue;
  try {
    decoded = decodeURIComponent(cookieValue);
  } catch {
    // Not URL-encoded; use it as it is.
  }
  const out = new Set<string>();
  if (decoded.startsWith("s:")) {
    const body = decoded.slice(2);
    const dot = body.lastIndexOf(".");
    out.add(dot > 0 ? body.slice(0, dot) : body);
  }
  const unquoted = decoded.replace(/^"|"$/g, "");
  const beforeSignature = unquoted.split(".")[0] ?? unquoted;
  if (beforeSignature.length >= 8) out.add(beforeSignature);
  if (unquoted.length >= 8) out.add(unquoted);
  return [...out].filter((id) => id.length >= 8);
}
