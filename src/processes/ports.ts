import { createServer } from "node:net";
import { PortInUseError } from "../errors.js";
import { platform } from "./platform.js";

/** The instance ports that follow the proxy's: 5000 -> 5001, 5002, ... */
export function instancePorts(proxyPort: number, instances: number): number[] {
  return Array.from({ length: instances }, (_, i) => proxyPort + 1 + i);
}

/** Resolves when nothing listens on host:port, rejects with PortInUseError otherwise. */
export async function assertPortFree(port: number, host: string, role: string): Promise<void> {
  const free = await isPortFree(port, host);
  if (!free) throw new PortInUseError(port, role);
}

export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
      else reject(error);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Checks the proxy port and every instance port before anything is spawned. */
export async function assertPortsFree(
  proxyPort: number,
  ports: readonly number[],
  host: string,
): Promise<void> {
  await assertPortFree(proxyPort, host, "the proxy");
  for (const [i, port] of ports.entries()) {
    await assertPortFree(port, host, `instance ${i + 1}`);
  }
}

/**
 * `count` consecutive free ports (a proxy port and its instance ports), from a random base so
 * that several labs on one machine (a running start, a check, parallel tests) stay apart.
 */
export async function findFreePortRange(count: number, host = "127.0.0.1"): Promise<number[]> {
  // Stay below the kernel's ephemeral range: a port there may be taken at any moment as the
  // local end of an outgoing connection, and the app would then fail to listen on it.
  const [low, high] = await portWindow();
  const now = Date.now();
  for (const [port, until] of chosen) if (until <= now) chosen.delete(port);
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some(isChosen)) continue;
    let free = true;
    for (const port of ports) {
      if (!(await isPortFree(port, host))) {
        free = false;
        break;
      }
    }
    // Looked at again: another choice of this process may have taken one meanwhile.
    if (free && !ports.some(isChosen)) {
      const until = Date.now() + CHOSEN_MS;
      for (const port of ports) chosen.set(port, until);
      return ports;
    }
  }
  throw new Error(`no ${count} consecutive free ports found on ${host}`);
}

/**
 * Ports this process chose and may not listen on yet. A lab chooses its proxy's and
 * instances' ports while its Redis Cluster or Sentinel set-up chooses its own, and listens on
 * them only once that Redis is up, seconds later: without this, both could choose the same
 * free ports, and the one that listens second fails (seen once in ~10 test runs).
 */
const chosen = new Map<number, number>();
/** Long enough for any set-up between choosing and listening; a port listened on is not free anyway. */
const CHOSEN_MS = 60_000;

function isChosen(port: number): boolean {
  return (chosen.get(port) ?? 0) > Date.now();
}

/** Where to look for free ports: from 10000 up to the start of the ephemeral range. */
async function portWindow(): Promise<[number, number]> {
  const ephemeralLow = (await platform().ephemeralPortRange())?.[0];
  if (ephemeralLow !== undefined && ephemeralLow > 12_000) return [10_000, ephemeralLow];
  // Not Linux: macOS and Windows start their ephemeral ports at 49152.
  return [10_000, 32_000];
}
