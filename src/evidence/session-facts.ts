import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { inflateSync } from "node:zlib";
import type { ScenarioClient } from "../client/client.js";
import { sessionIdCandidates } from "../client/cookies.js";
import type { SessionFacts } from "../diagnosis/session-split.js";
import type { Observation } from "../model/results.js";
import { databaseOf, findSessionAnywhere } from "../redis/inspect.js";
import { DEFAULT_REDIS_URL, maskRedisUrl } from "../redis/url.js";

/** Where the lab may look for a session besides the pages. */
export interface EvidenceSources {
  readonly redisUrl: string | undefined;
  readonly redisLabel: string;
  /** The SESSION_PREFIX the lab passed, when it started the instances. */
  readonly sessionPrefix?: string;
  /** The folder the instances ran in, to see which files they wrote. */
  readonly appDir?: string;
  /** When the check began (Date.now()): files written since are the app's. */
  readonly since: number;
  readonly instances: readonly number[];
}

/** One visitor whose value went missing: its client, the value and what it saw. */
export interface SessionSample {
  readonly client: ScenarioClient;
  readonly value: string;
  readonly observations: readonly Observation[];
}

/**
 * Gathers what the lab can find out about a session beyond the pages: the cookie lines
 * (kept? sent back?), its key in the lab's Redis (any database) or in the usual local
 * Redis, files the app wrote during the check, and, through `probe`, the cookie names each
 * instance uses. Read-only everywhere.
 */
export async function gatherSessionFacts(
  sources: EvidenceSources,
  sample: SessionSample,
  probe: () => Promise<{ port: number | null; names: string[] }[]>,
): Promise<SessionFacts> {
  const { client } = sample;
  const ids = [
    ...client.jar.values(),
    ...client.jar.rejected.map((r) => cookieValue(r.line)),
  ].flatMap(sessionIdCandidates);
  const reissued = sample.observations.find((o) => (o.replaced ?? []).length > 0);
  const [redisKey, otherRedis, files, cookieNames] = await Promise.all([
    sources.redisUrl
      ? findSessionAnywhere(sources.redisUrl, ids).catch(() => undefined)
      : undefined,
    lookInOtherRedis(sources.redisUrl, ids),
    sources.appDir ? filesWrittenSince(sources.appDir, sources.since, sources.instances) : [],
    probe().catch(() => []),
  ]);
  return {
    cookieTrouble: cookieTrouble(client),
    cookieNames,
    reissued: reissued ? { port: reissued.port, name: reissued.replaced?.[0] ?? "" } : undefined,
    redisKey,
    labDb: sources.redisUrl ? databaseOf(sources.redisUrl) : 0,
    labPrefix: sources.sessionPrefix,
    redisLabel: sources.redisLabel,
    files,
    lookedForFiles: sources.appDir !== undefined,
    cookieCarriesValue: cookiesCarry(client, sample.value),
    otherRedis,
  };
}

/** A Set-Cookie line the jar refused, or a kept cookie it would not send back to "/". */
function cookieTrouble(client: ScenarioClient): SessionFacts["cookieTrouble"] {
  const rejected = client.jar.rejected[0];
  if (rejected) return { line: rejected.line, reason: explain(rejected.reason, rejected.line) };
  const unsent = client.jar.unsentTo("/")[0];
  if (unsent) return { line: unsent.line, reason: explain("", unsent.line) };
  return undefined;
}

/** The attribute that keeps a cookie from coming back, in words. */
function explain(error: string, line: string): string {
  if (/samesite=none/i.test(error)) return "SameSite=None without Secure, which browsers refuse";
  if (/secure/i.test(error)) return "it is marked Secure, and the site is served over plain http";
  if (/domain/i.test(error)) {
    const domain = /;\s*domain=([^;]+)/i.exec(line)?.[1]?.trim();
    return `its Domain=${domain ?? "?"} does not match the site's host`;
  }
  const path = /;\s*path=([^;]+)/i.exec(line)?.[1]?.trim();
  if (path && path !== "/") return `its Path=${path} excludes the pages at /`;
  if (/max-age\s*=\s*(0|-)|expires=/i.test(line))
    return "it has already expired (Max-Age or Expires)";
  return error || "the browser does not keep it";
}

function cookieValue(line: string): string {
  const pair = line.split(";", 1)[0] ?? "";
  return pair.slice(pair.indexOf("=") + 1).trim();
}

/** Whether any cookie holds the value itself: plain, URL-encoded, base64 or a zlib'd Flask cookie. */
export function cookiesCarry(client: ScenarioClient, value: string): boolean {
  for (const raw of client.jar.values()) {
    let text = raw;
    try {
      text = decodeURIComponent(raw);
    } catch {}
    if (text.includes(value)) return true;
    for (const part of text.replace(/^[.s:]+/, "").split(".")) {
      const bytes = Buffer.from(part, "base64url");
      if (bytes.toString("utf8").includes(value)) return true;
      try {
        if (inflateSync(bytes).toString("utf8").includes(value)) return true;
      } catch {}
    }
  }
  return false;
}

/** The usual local Redis, when the lab used another one: does the app write there instead? */
async function lookInOtherRedis(labUrl: string | undefined, ids: readonly string[]) {
  if (!labUrl || sameServer(labUrl, DEFAULT_REDIS_URL) || ids.length === 0) return undefined;
  const found = await findSessionAnywhere(DEFAULT_REDIS_URL, ids, 1).catch(() => undefined);
  return found ? { url: maskRedisUrl(DEFAULT_REDIS_URL), key: found.key } : undefined;
}

function sameServer(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.hostname === y.hostname && (x.port || "6379") === (y.port || "6379");
  } catch {
    return false;
  }
}

const SKIPPED = new Set(["node_modules", ".git", ".session-lab", "__pycache__"]);

/**
 * Folders under `dir` (four levels at most, a few thousand entries) holding files written
 * since `since`, each with the instance port its path names, if any (`sessions/5001`).
 */
export async function filesWrittenSince(
  dir: string,
  since: number,
  ports: readonly number[],
): Promise<{ dir: string; port?: number }[]> {
  const folders = new Map<string, number | undefined>();
  let budget = 4000;
  const walk = async (folder: string, depth: number) => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget < 0 || SKIPPED.has(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < 4) await walk(path, depth + 1);
      else if (
        entry.isFile() &&
        ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0) >= since
      ) {
        const rel = relative(dir, folder) || ".";
        const port = ports.find((p) => rel.split(/[\\/]/).some((seg) => seg.includes(String(p))));
        folders.set(rel, port);
      }
    }
  };
  await walk(dir, 0);
  return [...folders].map(([d, port]) => (port === undefined ? { dir: d } : { dir: d, port }));
}
