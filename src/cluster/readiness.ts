import { request } from "node:http";

/** One HTTP GET; resolves true on any HTTP answer, false when nothing answered. */
export function answersHttp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: "/", method: "GET", agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.once("error", () => resolve(false));
    req.end();
  });
}

/**
 * Polls host:port until it answers HTTP. Stops early when `gaveUp` settles (the process
 * exited) or the signal aborts. Resolves with whether it answered.
 */
export async function waitUntilAnswering(options: {
  host: string;
  port: number;
  timeoutMs: number;
  gaveUp: Promise<unknown>;
  signal?: AbortSignal;
}): Promise<boolean> {
  const { host, port, timeoutMs, gaveUp, signal } = options;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  gaveUp.then(stop, stop);
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!stopped && !signal?.aborted && Date.now() < deadline) {
    if (await answersHttp(host, port, Math.max(100, deadline - Date.now()))) return true;
    // Back off a little between probes: fast for a quick boot, cheap for a slow one.
    await Promise.race([pause(delay), gaveUp.catch(() => {})]);
    delay = Math.min(delay * 2, 20);
  }
  return false;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
