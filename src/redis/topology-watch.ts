import type { EventOf } from "../events.js";
import {
  type ClusterShard,
  primariesOf,
  type RedisTopology,
  type SentinelTopology,
} from "../model/topology.js";
import { connectRedis } from "./inspect.js";
import type { ClusterView, FailoverControl } from "./topology.js";

/** How often the topology is read again: the sentinels' +switch-master says a switch at once. */
const EVERY_MS = 1000;

export type TopologyEvent = EventOf<"redis:topology">;

/**
 * Watches the lab's own Sentinel set-up or Cluster: says its topology once, then again
 * whenever it changes (read every second, and at once when a sentinel publishes
 * +switch-master). Undefined for any other Redis: there is no topology of the lab's to show.
 */
export function watchTopology(
  redis: { readonly failover?: FailoverControl; readonly cluster?: ClusterView },
  emit: (event: TopologyEvent) => void,
): { close(): Promise<void> } | undefined {
  const { failover, cluster } = redis;
  const read = failover
    ? () => readSentinelTopology(failover)
    : cluster
      ? () => readClusterTopology(cluster)
      : undefined;
  if (!read) return undefined;
  let closed = false;
  let said: string | undefined;
  let last: RedisTopology | undefined;
  /** The primaries last named (kept while the sentinels disagree). */
  let primaries: string[] = [];
  let reading: Promise<void> = Promise.resolve();
  let again = false;
  const look = async () => {
    const topology = await read().catch(() => undefined);
    if (closed || !topology) return;
    const text = JSON.stringify(topology);
    if (text === said) return;
    said = text;
    const now = primariesOf(topology);
    const switched = switchOf(primaries, now, last, topology);
    if (now.length > 0) primaries = now;
    last = topology;
    emit({ type: "redis:topology", topology, ...(switched ? { switched } : {}) });
  };
  // One look at a time; a request while one runs makes one more after it.
  const refresh = () => {
    if (again) return;
    again = true;
    reading = reading.then(() => {
      again = false;
      return closed ? undefined : look();
    });
  };
  refresh();
  const timer = setInterval(refresh, EVERY_MS);
  const subscribers = failover ? subscribeSwitches(failover.sentinels, refresh) : [];
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      for (const s of await Promise.all(subscribers)) s?.disconnect();
      await reading;
    },
  };
}

/** Which primary gave way to which: the sentinels' one, or the one of the shard whose slots moved. */
export function switchOf(
  before: readonly string[],
  now: readonly string[],
  last: RedisTopology | undefined,
  topology: RedisTopology,
): { from: string; to: string } | undefined {
  if (before.length === 0 || now.length === 0) return undefined;
  if (topology.kind === "sentinel")
    return before[0] !== now[0] ? { from: before[0] ?? "", to: now[0] ?? "" } : undefined;
  if (last?.kind !== "cluster") return undefined;
  for (const shard of topology.shards) {
    const was = last.shards.find((s) => s.slots[0]?.[0] === shard.slots[0]?.[0]);
    if (was && was.primary !== shard.primary) return { from: was.primary, to: shard.primary };
  }
  return undefined;
}

function subscribeSwitches(sentinels: readonly string[], onSwitch: () => void) {
  return sentinels.map(async (address) => {
    const client = await connectRedis(`redis://${address}`, 1000).catch(() => undefined);
    if (!client) return undefined;
    client.on("message", onSwitch);
    await client.subscribe("+switch-master").catch(() => {});
    return client;
  });
}

export async function readSentinelTopology(control: FailoverControl): Promise<SentinelTopology> {
  const [primary, answers] = await Promise.all([
    control.primary(),
    Promise.all(
      control.sentinels.map((address) =>
        ask(address, "SENTINEL", "REPLICAS", control.masterName).then(
          (reply) => reply as string[][],
          () => undefined,
        ),
      ),
    ),
  ]);
  const replicas = answers.find((a) => a !== undefined) ?? [];
  return {
    kind: "sentinel",
    masterName: control.masterName,
    primary,
    replicas: replicas
      .map((fields) => {
        const field = (name: string) => fields[fields.indexOf(name) + 1] ?? "";
        return {
          address: `${field("ip")}:${field("port")}`,
          up: !/s_down|o_down|disconnected/.test(field("flags")),
        };
      })
      .filter((r) => r.address !== primary)
      .sort((a, b) => a.address.localeCompare(b.address)),
    sentinels: control.sentinels.map((address, i) => ({ address, up: answers[i] !== undefined })),
  };
}

async function readClusterTopology(cluster: ClusterView) {
  for (const node of cluster.nodes) {
    const reply = await ask(node, "CLUSTER", "SLOTS").catch(() => undefined);
    if (Array.isArray(reply)) return { kind: "cluster" as const, shards: shardsOf(reply) };
  }
  return undefined;
}

/** CLUSTER SLOTS ([[from, to, [host, port, id], ...replicas], ...]) as shards, by lowest slot. */
export function shardsOf(reply: readonly unknown[]): ClusterShard[] {
  const byPrimary = new Map<string, { slots: [number, number][]; replicas: Set<string> }>();
  const address = (node: unknown) =>
    Array.isArray(node) ? `${String(node[0])}:${String(node[1])}` : undefined;
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const [from, to, master, ...replicas] = entry as unknown[];
    const primary = address(master);
    if (!primary) continue;
    const shard = byPrimary.get(primary) ?? { slots: [], replicas: new Set<string>() };
    shard.slots.push([Number(from), Number(to)]);
    for (const r of replicas.map(address)) if (r) shard.replicas.add(r);
    byPrimary.set(primary, shard);
  }
  return [...byPrimary]
    .map(([primary, s]) => ({
      primary,
      slots: s.slots.sort((a, b) => a[0] - b[0]),
      replicas: [...s.replicas].sort(),
    }))
    .sort((a, b) => (a.slots[0]?.[0] ?? 0) - (b.slots[0]?.[0] ?? 0));
}

async function ask(address: string, ...args: [string, ...string[]]): Promise<unknown> {
  const client = await connectRedis(`redis://${address}`, 1000);
  try {
    return await client.call(...args);
  } finally {
    client.disconnect();
  }
}
