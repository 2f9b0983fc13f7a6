import { request } from "node:http";
import { connect } from "node:net";

/** One HTTP GET of `/`: the status it answered with, or undefined when nothing answered. */
export function httpStatus(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: "/", method: "GET", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.once("error", () => resolve(undefined));
    req.end();
  });
}

/**
 * Whether anything accepts a TCP connection on host:port. While an app boots, nearly every
 * probe finds nothing listening: a bare connection costs the lab about half of what an HTTP
 * request that fails to connect does (a request object, a parser, its events), so the HTTP
 * request is made only once this says yes.
 */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    // A host that drops packets instead of refusing: counted as nothing there, and retried.
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** One HTTP GET; resolves true on any HTTP answer, false when nothing answered. */
export async function answersHttp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return (await httpStatus(host, port, timeoutMs)) !== undefined;
}

/**
 * How long an app that answers only 5xx is given to finish starting (to connect to Redis,
 * say) before it counts as ready anyway, so that the scenarios show what it answers.
 */
export const SETTLE_MS = 2000;

export interface ReadinessOptions {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly gaveUp: Promise<unknown>;
  readonly signal?: AbortSignal;
  readonly settleMs?: number;
  /** Resolves when it is worth probing at once (the app printed a line: often "listening"). */
  readonly nudged?: () => Promise<unknown>;
}

/**
 * Ports this process is waiting on right now. A probe that finds nothing costs the lab about
 * a quarter of a millisecond of CPU, which the instances booting need: the longest pause
 * between two probes of a port grows with the ports waited on, so that the lab probes about
 * a hundred times a second at most however many instances start at once (16 at once: ~1,400
 * probes a boot before, ~300 now). An app that prints a line is probed at once anyway.
 */
let waiting = 0;
const longestPauseMs = () => Math.max(20, 10 * waiting);

/**
 * Polls host:port until it is ready: it answers HTTP with a status below 500, or it has
 * answered only 5xx for `settleMs` (an app still connecting to its backends answers 503 at
 * first; a readiness probe waits for that, as a load balancer's health check would). Stops
 * early when `gaveUp` settles (the process exited) or the signal aborts. Resolves with
 * whether it answered at all.
 */
export async function waitUntilAnswering(options: ReadinessOptions): Promise<boolean> {
  waiting += 1;
  try {
    return await probeUntilReady(options);
  } finally {
    waiting -= 1;
  }
}

async function probeUntilReady(options: ReadinessOptions): Promise<boolean> {
  const { host, port, timeoutMs, gaveUp, signal, settleMs = SETTLE_MS, nudged } = options;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  gaveUp.then(stop, stop);
  const deadline = Date.now() + timeoutMs;
  let firstServerError: number | undefined;
  let delay = 5;
  while (!stopped && !signal?.aborted && Date.now() < deadline) {
    const status = (await accepts(host, port))
      ? await httpStatus(host, port, Math.max(100, deadline - Date.now()))
      : undefined;
    if (status !== undefined) {
      if (status < 500) return true;
      firstServerError ??= Date.now();
      if (Date.now() - firstServerError >= settleMs) return true;
    }
    // Back off a little between probes: fast for a quick boot, cheap for a slow one.
    await Promise.race([pause(delay), gaveUp.catch(() => {}), ...(nudged ? [nudged()] : [])]);
    delay = Math.min(delay * 2, longestPauseMs());
  }
  // Out of time while it answered 5xx: it answers, and the scenarios will say what.
  return firstServerError !== undefined && !stopped && !signal?.aborted;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
