import { pollUntil } from "../../src/poll.js";
import { portOwner } from "../../src/processes/port-owner.js";
import { findFreePortRange, isPortFree } from "../../src/processes/ports.js";

/** `count` consecutive free ports on 127.0.0.1: a proxy port followed by its instance ports. */
export function findFreePorts(count: number): Promise<number[]> {
  return findFreePortRange(count);
}

/**
 * The ports still taken, each with who holds it (so a failure says whether it is the lab).
 * Nothing may listen on them; a port nothing listens on is given a moment to become free:
 * a connection of a killed app that its peer has not closed yet keeps it for some ms.
 */
export async function busyPorts(ports: readonly number[]): Promise<string[]> {
  const busy: string[] = [];
  for (const port of ports) {
    const owner = await portOwner(port).catch(() => undefined);
    if (owner) {
      busy.push(`${port}: pid ${owner.pid} ${owner.command}`);
      continue;
    }
    const free = await pollUntil(() => isPortFree(port, "127.0.0.1"), {
      timeoutMs: 3000,
      everyMs: 20,
    }).catch(() => false);
    if (!free) busy.push(`${port}: nothing listens, and it is not free after 3 s`);
  }
  return busy;
}
