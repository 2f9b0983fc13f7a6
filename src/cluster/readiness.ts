import { request } from "node:http";

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

/** One HTTP GET; resolves true on any HTTP answer, false when nothing answered. */
export async function answersHttp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return (await httpStatus(host, port, timeoutMs)) !== undefined;
}

/**
 * How long an app that answers only 5xx is given to finish starting (to connect to Redis,
 * say) before it counts as ready anyway, so that the scenarios show what it answers.
 */
export const SETTLE_MS = 2000;

/**
 * Polls host:port until it is ready: it answers HTTP with a status below 500, or it has
 * answered only 5xx for `settleMs` (an app still connecting to its backends answers 503 at
 * first; a readiness probe waits for that, as a load balancer's health check would). Stops
 * early when `gaveUp` settles (the process exited) or the signal aborts. Resolves with
 * whether it answered at all.
 */
export async function waitUntilAnswering(options: {
  host: string;
  port: number;
  timeoutMs: number;
  gaveUp: Promise<unknown>;
  signal?: AbortSignal;
  settleMs?: number;
  /** Resolves when it is worth probing at once (the app printed a line: often "listening"). */
  nudged?: () => Promise<unknown>;
}): Promise<boolean> {
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
    const status = await httpStatus(host, port, Math.max(100, deadline - Date.now()));
    if (status !== undefined) {
      if (status < 500) return true;
      firstServerError ??= Date.now();
      if (Date.now() - firstServerError >= settleMs) return true;
    }
    // Back off a little between probes: fast for a quick boot, cheap for a slow one.
    await Promise.race([pause(delay), gaveUp.catch(() => {}), ...(nudged ? [nudged()] : [])]);
    delay = Math.min(delay * 2, 20);
  }
  // Out of time while it answered 5xx: it answers, and the scenarios will say what.
  return firstServerError !== undefined && !stopped && !signal?.aborted;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
