import { isPortFree } from "../../src/cluster/ports.js";

/**
 * `count` consecutive free ports on 127.0.0.1 (the lab needs a proxy port followed by its
 * instance ports). Random bases keep parallel test files apart.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    let free = true;
    for (const port of ports) {
      if (!(await isPortFree(port, "127.0.0.1"))) {
        free = false;
        break;
      }
    }
    if (free) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
