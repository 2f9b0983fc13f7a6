import { UsageError } from "../errors.js";

/** Where a Redis is looked for when none is named: the usual local one. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** A Redis the user named, and where they named it. */
export interface RedisChoice {
  readonly url: string;
  readonly source: "--redis-url" | "REDIS_URL";
}

/**
 * The Redis the user named: --redis-url, then REDIS_URL; undefined when neither is set (the
 * lab then looks for one). Validated here, before anything starts.
 */
export function chooseRedisUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): RedisChoice | undefined {
  if (flag !== undefined) return { url: parseRedisUrl(flag, "--redis-url"), source: "--redis-url" };
  if (env.REDIS_URL) return { url: parseRedisUrl(env.REDIS_URL, "REDIS_URL"), source: "REDIS_URL" };
  return undefined;
}

/** Validates a redis:// or rediss:// URL; throws a UsageError naming where it came from. */
export function parseRedisUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${from} is not a valid Redis URL.`,
      "Write it as redis://[user:password@]host:port[/db] (or rediss:// for TLS).",
    );
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new UsageError(
      `${from} must start with redis:// or rediss://, not ${url.protocol}//.`,
      "Write it as redis://[user:password@]host:port[/db] (or rediss:// for TLS).",
    );
  }
  return value;
}

/** The URL with its password replaced by ***, safe to print. */
export function maskRedisUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(invalid URL)";
  }
}
