import { connectRedis, escapeGlob } from "./inspect.js";
import type { ClusterPrimary, ClusterView } from "./topology.js";

/** The lab's read-only view of its Redis Cluster: which primary serves which slots, and holds which keys. */
export function clusterView(nodes: readonly string[]): ClusterView {
  const primaries = async (): Promise<ClusterPrimary[]> => {
    // Any node that answers knows the whole map; the first is the one of REDIS_URL.
    for (const node of nodes) {
      const reply = await ask(node, "CLUSTER", "SLOTS").catch(() => undefined);
      if (Array.isArray(reply)) return primariesOf(reply, nodes[0] ?? "");
    }
    return [];
  };
  return {
    nodes,
    primaries,
    async keysByPrimary(prefix) {
      const found = new Map<string, readonly string[]>();
      for (const { address } of await primaries())
        found.set(address, await scanKeys(address, `${escapeGlob(prefix)}*`));
      return found;
    },
    async slotOf(key) {
      return Number(await ask(nodes[0] ?? "", "CLUSTER", "KEYSLOT", key));
    },
    async migrateSlot(slot, to, between) {
      const all = await primaries();
      const from = all.find((p) => p.slots.some(([a, b]) => slot >= a && slot <= b))?.address;
      if (!from) throw new Error(`no primary serves slot ${slot}`);
      const [fromId, toId] = [
        String(await ask(from, "CLUSTER", "MYID")),
        String(await ask(to, "CLUSTER", "MYID")),
      ];
      const [toHost, toPort] = to.split(":") as [string, string];
      const s = String(slot);
      await ask(to, "CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
      await ask(from, "CLUSTER", "SETSLOT", s, "MIGRATING", toId);
      const keys = (await ask(from, "CLUSTER", "GETKEYSINSLOT", s, "1000")) as string[];
      if (keys.length > 0)
        await ask(from, "MIGRATE", toHost, toPort, "", "0", "5000", "KEYS", ...keys);
      try {
        await between();
      } finally {
        // The new owner first, then the old one (which then answers MOVED), then the others.
        for (const node of [
          to,
          from,
          ...all.map((p) => p.address).filter((a) => a !== to && a !== from),
        ])
          await ask(node, "CLUSTER", "SETSLOT", s, "NODE", toId);
      }
      return from;
    },
  };
}

/**
 * CLUSTER SLOTS ([[from, to, [host, port, id], ...replicas], ...]) as primaries with their
 * ranges, `first` (REDIS_URL's node) first, the others by address.
 */
export function primariesOf(reply: readonly unknown[], first: string): ClusterPrimary[] {
  const byAddress = new Map<string, [number, number][]>();
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const [from, to, master] = entry as [unknown, unknown, unknown];
    if (!Array.isArray(master)) continue;
    const address = `${String(master[0])}:${String(master[1])}`;
    const ranges = byAddress.get(address) ?? [];
    ranges.push([Number(from), Number(to)]);
    byAddress.set(address, ranges);
  }
  return [...byAddress]
    .map(([address, slots]) => ({ address, slots: slots.sort((a, b) => a[0] - b[0]) }))
    .sort((a, b) =>
      a.address === first ? -1 : b.address === first ? 1 : a.address.localeCompare(b.address),
    );
}

async function scanKeys(address: string, match: string): Promise<string[]> {
  const client = await connectRedis(`redis://${address}`, 1000);
  try {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", match, "COUNT", 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return keys;
  } finally {
    client.disconnect();
  }
}

async function ask(address: string, ...args: [string, ...string[]]): Promise<unknown> {
  const client = await connectRedis(`redis://${address}`, 1000);
  try {
    return await client.call(...args);
  } finally {
    client.disconnect();
  }
}
