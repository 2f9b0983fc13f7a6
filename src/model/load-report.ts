/** What a `load` run measured: requests, reads and lost sessions, per instance too. */
export interface LoadProgress {
  readonly elapsedMs: number;
  readonly requests: number;
  readonly reads: number;
  readonly lost: number;
  readonly errors: number;
}

export interface InstanceLoad {
  /** The port that served, or null when no page or header named it. */
  readonly port: number | null;
  readonly requests: number;
  readonly reads: number;
  /** Reads that did not show the user's own value. */
  readonly lost: number;
}

export interface LoadStats extends LoadProgress {
  /** What went wrong with the first request that got no usable answer. */
  readonly firstError?: string;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly perInstance: readonly InstanceLoad[];
}

export interface LoadReport extends LoadStats {
  readonly schema: "session-lab/load@1";
  readonly target: string;
  readonly users: number;
}
