import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { LabOptions } from "../lab/lab-options.js";

/** Raw option values as commander hands them over (strings, unvalidated). */
export interface RawClusterOptions {
  instances?: string;
  port?: string;
  host?: string;
  dir?: string;
  cmd?: string;
  solution?: boolean;
  redisUrl?: string;
  timeout?: string;
  upstreamTimeout?: string;
  python?: string;
}

/** The lab options the command line decides, validated (the port and timeouts always set). */
export interface ClusterChoice
  extends Pick<
    LabOptions,
    "instances" | "host" | "dir" | "cmd" | "solution" | "redisUrl" | "timeoutMs" | "python"
  > {
  readonly port: number;
  readonly upstreamTimeoutMs: number;
}

export const DEFAULT_PORT = 5000;
export const DEFAULT_INSTANCES = 2;
export const MAX_INSTANCES = 32;
export const DEFAULT_TIMEOUT_S = 15;
export const DEFAULT_WORKSPACE = "workshop";
export const DEFAULT_UPSTREAM_TIMEOUT_S = 30;

/** Validates the options shared by start and check; throws UsageError on the first bad one. */
export function parseClusterOptions(raw: RawClusterOptions, cwd: string): ClusterChoice {
  const instances = parseInteger(raw.instances, DEFAULT_INSTANCES, "--instances");
  if (instances < 1 || instances > MAX_INSTANCES) {
    throw new UsageError(
      `--instances must be between 1 and ${MAX_INSTANCES}, not ${instances}.`,
      "Two instances are enough to show the problem: try -n 2.",
    );
  }
  const port = parseInteger(raw.port, DEFAULT_PORT, "--port");
  if (port < 1 || port > 65535) {
    throw new UsageError(`--port must be between 1 and 65535, not ${port}.`, "Try --port 5000.");
  }
  if (port + instances > 65535) {
    throw new UsageError(
      `--port ${port} leaves no room for ${instances} instance ports after it (up to 65535).`,
      "Choose a lower --port: the instances use the ports right after it.",
    );
  }
  const timeoutS = parseNumber(raw.timeout, DEFAULT_TIMEOUT_S, "--timeout");
  if (!(timeoutS > 0 && timeoutS <= 600)) {
    throw new UsageError(
      `--timeout must be a number of seconds between 0 and 600, not ${raw.timeout}.`,
      "Try --timeout 30 for a slow app.",
    );
  }
  const cmd = raw.cmd?.trim();
  if (raw.cmd !== undefined && !cmd) {
    throw new UsageError(
      "--cmd is empty.",
      'Give the command that starts one instance, e.g. --cmd "python3 app.py".',
    );
  }
  if (cmd && raw.solution) {
    throw new UsageError(
      "--cmd and --solution cannot be used together.",
      "Use --solution for the reference solution, or --cmd for your own command.",
    );
  }
  const upstreamS = parseNumber(
    raw.upstreamTimeout,
    DEFAULT_UPSTREAM_TIMEOUT_S,
    "--upstream-timeout",
  );
  // Below a millisecond it would round to 0, which undici takes as "no timeout at all".
  if (!(upstreamS >= 0.001 && upstreamS <= 3600)) {
    throw new UsageError(
      `--upstream-timeout must be a number of seconds between 0.001 and 3600, not ${raw.upstreamTimeout}.`,
      "For example: --upstream-timeout 30.",
    );
  }
  const host = raw.host?.trim() || "127.0.0.1";
  if (!/^[\w.:-]+$/.test(host)) {
    throw new UsageError(
      `--host "${raw.host}" is not an address.`,
      "Use an IP address or name, e.g. --host 127.0.0.1.",
    );
  }
  return {
    instances,
    port,
    host,
    dir: resolve(cwd, raw.dir ?? DEFAULT_WORKSPACE),
    cmd,
    solution: raw.solution === true,
    redisUrl: raw.redisUrl,
    timeoutMs: Math.round(timeoutS * 1000),
    upstreamTimeoutMs: Math.round(upstreamS * 1000),
    ...(raw.python ? { python: raw.python } : {}),
  };
}

function parseInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!/^\s*\d+\s*$/.test(value)) {
    throw new UsageError(
      `${name} must be a whole number, not "${value}".`,
      `For example: ${name} ${fallback}.`,
    );
  }
  return Number(value);
}

function parseNumber(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new UsageError(
      `${name} must be a number, not "${value}".`,
      `For example: ${name} ${fallback}.`,
    );
  }
  return n;
}

/** Validates --url: an http(s) URL of a deployment to grade. */
export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--url "${value}" is not a URL.`,
      "Write it in full, e.g. --url http://127.0.0.1:8080.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `--url must be an http:// or https:// URL, not ${url.protocol}//.`,
      "For example: --url http://127.0.0.1:8080.",
    );
  }
  return url.toString();
}

/** Validates load's --users, --duration and --requests. */
export function parseLoadOptions(raw: { users?: string; duration?: string; requests?: string }): {
  users: number;
  durationMs: number;
  requests: number | undefined;
} {
  const users = parseInteger(raw.users, 50, "--users");
  if (users < 1 || users > 1000) {
    throw new UsageError(`--users must be between 1 and 1000, not ${users}.`, "Try --users 50.");
  }
  const seconds = parseNumber(raw.duration, raw.requests === undefined ? 10 : 600, "--duration");
  if (!(seconds > 0 && seconds <= 3600)) {
    throw new UsageError(
      `--duration must be a number of seconds between 0 and 3600, not ${raw.duration}.`,
      "Try --duration 10.",
    );
  }
  const requests =
    raw.requests === undefined ? undefined : parseInteger(raw.requests, 0, "--requests");
  if (requests !== undefined && requests < 1) {
    throw new UsageError("--requests must be at least 1.", "Try --requests 10000.");
  }
  return { users, durationMs: Math.round(seconds * 1000), requests };
}

/** Validates --ui and --ui-port: the live page's port, never the proxy's. */
export function parseUiOptions(
  raw: { ui?: boolean; uiPort?: string },
  fallback: number,
  proxyPort: number | undefined,
): { port: number } | undefined {
  if (!raw.ui) {
    if (raw.uiPort !== undefined)
      throw new UsageError("--ui-port was given without --ui.", "Add --ui to serve the live page.");
    return undefined;
  }
  const port = parseInteger(raw.uiPort, fallback, "--ui-port");
  if (port < 1 || port > 65535) {
    throw new UsageError(
      `--ui-port must be between 1 and 65535, not ${port}.`,
      `Try --ui-port ${fallback}.`,
    );
  }
  if (proxyPort !== undefined && port >= proxyPort && port <= proxyPort + MAX_INSTANCES) {
    throw new UsageError(
      `--ui-port ${port} is one of the lab's own ports (the proxy's or an instance's).`,
      `Leave it out (it is then ${proxyPort + 99}), or choose one above ${proxyPort + MAX_INSTANCES}.`,
    );
  }
  return { port };
}
