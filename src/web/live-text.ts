/** The live page's reading of requests and pages: visitors' names, session values shown. */

/** A short, stable name for a session cookie: 6 hex digits (FNV-1a), never the cookie itself. */
export function visitorId(cookie: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < cookie.length; i++) {
    hash ^= cookie.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0").slice(0, 6);
}

/** The Cookie header a browser would send after these Set-Cookie lines (name=value pairs). */
export function cookiePairs(lines: readonly string[]): string | undefined {
  const pairs = lines.map((l) => l.split(";", 1)[0]?.trim()).filter((p) => p && !p.endsWith("="));
  return pairs.length > 0 ? pairs.join("; ") : undefined;
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Whether an exercise page shows the value as the session's: as an element's whole text
 * (`<strong id="value">hello</strong>`), not merely somewhere in it (a link to set "hello"),
 * and not when it says no value is set.
 */
export function pageShows(body: string, value: string): boolean {
  for (const v of new Set([value, escapeHtml(value), named(value)]))
    if (body.includes(`>${v}<`)) return true;
  if (/no session value/i.test(body)) return false;
  return body.replace(/<[^>]*>/g, " ").includes(value);
}

function named(text: string): string {
  const names: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text.replace(/[&<>"']/g, (c) => names[c] ?? c);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
