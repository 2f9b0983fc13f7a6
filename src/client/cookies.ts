import { CookieJar as ToughJar } from "tough-cookie";

/** A Set-Cookie a browser would not keep, and why (in the attendee's words). */
export interface RejectedCookie {
  readonly name: string;
  readonly line: string;
  readonly reason: string;
}

/**
 * A client's cookies, kept as a browser keeps them (tough-cookie: Path, Domain, expiry,
 * Secure), graded as if the app were deployed on plain http: a `Secure` cookie is not kept
 * from http even on 127.0.0.1, and `SameSite=None` without `Secure` is refused, as Chrome does.
 */
export class CookieJar {
  readonly #jar = new ToughJar(undefined, {
    allowSpecialUseDomain: true,
    allowSecureOnLocal: false,
  });
  readonly #rejected: RejectedCookie[] = [];
  /** The latest Set-Cookie line kept per name, and the URL it came with. */
  readonly #lines = new Map<string, { line: string; url: string; at: number }>();
  /** Names a response replaced with another value (of a cookie the client already held). */
  #replaced: string[] = [];

  /** Takes the Set-Cookie lines of a response to `url`; returns the names they set. */
  accept(setCookie: readonly string[], url: string): string[] {
    const names: string[] = [];
    this.#replaced = [];
    for (const line of setCookie) {
      const name = line.split(";", 1)[0]?.split("=", 1)[0]?.trim() ?? "";
      if (!name) continue;
      names.push(name);
      if (/;\s*samesite\s*=\s*none/i.test(line) && !/;\s*secure\s*(;|$)/i.test(line)) {
        this.#rejected.push({ name, line, reason: "SameSite=None without Secure" });
        continue;
      }
      try {
        const previous = this.#lines.get(name)?.line;
        this.#jar.setCookieSync(line, url);
        this.#lines.set(name, { line, url, at: Date.now() });
        if (
          previous !== undefined &&
          pairOf(previous) !== pairOf(line) &&
          pairOf(line) !== `${name}=`
        )
          this.#replaced.push(name);
      } catch (error) {
        this.#rejected.push({ name, line, reason: (error as Error).message });
      }
    }
    return names;
  }

  /** The Cookie request header a browser would send to `url`, or undefined when none. */
  header(url: string): string | undefined {
    return this.#jar.getCookieStringSync(url) || undefined;
  }

  /** Names of cookies the client held that the last response replaced with another value. */
  get replaced(): readonly string[] {
    return this.#replaced;
  }

  /**
   * Set-Cookie lines with a value that a browser kept but would not send back to `path` of
   * the site that set them (a Path elsewhere, already expired). A cookie the server cleared
   * on purpose (an empty value) is not among them.
   */
  unsentTo(path: string): { name: string; line: string }[] {
    const out: { name: string; line: string }[] = [];
    for (const [name, { line, url, at }] of this.#lines) {
      const value = (line.split(";", 1)[0] ?? "").slice(name.length + 1).trim();
      if (!value) continue;
      // A cookie that was valid when it came and has expired since is short-lived, not unsent.
      // (Expires has whole seconds: a one-second cookie may read as up to 1 s in the past.)
      const life = lifetimeOf(line, at);
      const maxAge = /;\s*max-age\s*=\s*(-?\d+)/i.exec(line)?.[1];
      const diedOnArrival = maxAge !== undefined ? Number(maxAge) <= 0 : (life ?? 0) <= -1000;
      if (life !== undefined && !diedOnArrival && at + life <= Date.now()) continue;
      const sent = this.#jar.getCookiesSync(new URL(path, url).href).some((c) => c.key === name);
      if (!sent) out.push({ name, line });
    }
    return out;
  }

  /** Each kept Set-Cookie line with the lifetime it gives (undefined: a session cookie). */
  lifetimes(): { name: string; line: string; ms: number | undefined }[] {
    return [...this.#lines].map(([name, { line }]) => ({
      name,
      line,
      ms: lifetimeOf(line, Date.now()),
    }));
  }

  /** The values of every cookie kept (sent or not), to look sessions up by. */
  values(): string[] {
    return (this.#jar.serializeSync()?.cookies ?? []).map((c) => String(c.value ?? ""));
  }

  /** Set-Cookie lines a browser would have refused. */
  get rejected(): readonly RejectedCookie[] {
    return this.#rejected;
  }
}

/** How long a Set-Cookie line's cookie lives from `now` (Max-Age wins over Expires); undefined for a session cookie. */
function lifetimeOf(line: string, now: number): number | undefined {
  const maxAge = /;\s*max-age\s*=\s*(-?\d+)/i.exec(line)?.[1];
  const expires = /;\s*expires\s*=\s*([^;]+)/i.exec(line)?.[1];
  const ms =
    maxAge !== undefined
      ? Number(maxAge) * 1000
      : expires !== undefined
        ? Date.parse(expires) - now
        : undefined;
  return ms === undefined || Number.isNaN(ms) ? undefined : ms;
}

/** `name=value` of a Set-Cookie line. */
function pairOf(line: string): string {
  return (line.split(";", 1)[0] ?? "").trim();
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
