import { findFreePortRange } from "../../src/processes/ports.js";

/** `count` consecutive free ports on 127.0.0.1: a proxy port followed by its instance ports. */
export function findFreePorts(count: number): Promise<number[]> {
  return findFreePortRange(count);
}
