/** The lab's own Redis topology (exercises 05 and 06), as the live page shows it. */

/** A node of the topology: "127.0.0.1:port", and whether the lab sees it answering. */
export interface TopologyNode {
  readonly address: string;
  readonly up: boolean;
}

/** A Sentinel set-up: the primary the sentinels name, its replicas, the sentinels. */
export interface SentinelTopology {
  readonly kind: "sentinel";
  readonly masterName: string;
  /** The primary every sentinel names; undefined while they disagree (a switch under way). */
  readonly primary: string | undefined;
  readonly replicas: readonly TopologyNode[];
  readonly sentinels: readonly TopologyNode[];
}

/** A primary of a Redis Cluster, the slots it serves and its replicas. */
export interface ClusterShard {
  readonly primary: string;
  /** Inclusive ranges of hash slots, lowest first. */
  readonly slots: readonly (readonly [number, number])[];
  readonly replicas: readonly string[];
}

export interface ClusterTopology {
  readonly kind: "cluster";
  /** By their lowest slot. */
  readonly shards: readonly ClusterShard[];
}

export type RedisTopology = SentinelTopology | ClusterTopology;

/** The primaries of a topology, for telling a switch: the sentinels' one, or each shard's. */
export function primariesOf(topology: RedisTopology): string[] {
  if (topology.kind === "sentinel") return topology.primary ? [topology.primary] : [];
  return topology.shards.map((s) => s.primary);
}
