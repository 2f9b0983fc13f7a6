/** What the lab's own Redis topologies (Sentinel, Cluster) let scenarios do to them. */

/** What a scenario may do to the lab's Sentinel set-up (exercise 05). */
export interface FailoverControl {
  readonly masterName: string;
  /** "127.0.0.1:port" of every sentinel. */
  readonly sentinels: readonly string[];
  /** "127.0.0.1:port" of the primary as every sentinel reports it; undefined while they disagree. */
  primary(): Promise<string | undefined>;
  /** SENTINEL FAILOVER: the sentinels promote the replica, no agreement needed. */
  failover(): Promise<void>;
  /**
   * Turns the old primary into a replica of the new one and drops its clients, as the
   * sentinels themselves do only after about 10 s (their "+convert-to-slave"), and lifts a
   * `fence`.
   */
  demote(old: string, now: string): Promise<void>;
  /**
   * The primary takes no write for `ms` (CLIENT PAUSE … WRITE) and its replica catches up
   * with it: a failover after this loses no write (as Redis's own coordinated FAILOVER
   * does). `demote` lifts the pause, or `lift` when no failover followed. Returns the primary
   * fenced.
   */
  fence(ms: number): Promise<{ readonly primary: string; lift(): Promise<void> }>;
  /** The primary stops answering for `ms` (CLIENT PAUSE … ALL): hung, not killed. */
  hangPrimary(ms: number): Promise<void>;
  /** Polls until every sentinel names a primary other than `old`; that one, or undefined. */
  waitForNewPrimary(
    old: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<string | undefined>;
  /** Polls until the primary has a replica in sync that the sentinels know: ready for another failover. */
  waitForReplica(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}

/** A primary of the lab's Redis Cluster and the slots it serves. */
export interface ClusterPrimary {
  /** "127.0.0.1:port". */
  readonly address: string;
  /** Inclusive ranges of hash slots, lowest first. */
  readonly slots: readonly (readonly [number, number])[];
}

/** What a scenario may ask of the lab's Redis Cluster (exercise 06): read-only. */
export interface ClusterView {
  /** "127.0.0.1:port" of every node; REDIS_URL names the first. */
  readonly nodes: readonly string[];
  /** The primaries as the cluster reports them (CLUSTER SLOTS), the one of REDIS_URL first. */
  primaries(): Promise<readonly ClusterPrimary[]>;
  /** The keys under `prefix` that each primary holds (SCAN on each), by address. */
  keysByPrimary(prefix: string): Promise<ReadonlyMap<string, readonly string[]>>;
  /** The hash slot of `key` (CLUSTER KEYSLOT). */
  slotOf(key: string): Promise<number>;
  /**
   * Moves `slot`, with its keys, from the primary that serves it to `to`, in the steps of a
   * resharding: IMPORTING and MIGRATING, the keys MIGRATEd, then `between()` runs while the
   * slot is half moved (a key asked of the old primary answers ASK), then SETSLOT NODE on
   * every primary (a client with the old map meets MOVED). Returns the old primary.
   */
  migrateSlot(slot: number, to: string, between: () => Promise<void>): Promise<string>;
}
