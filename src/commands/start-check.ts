import type { Cluster } from "../cluster/cluster.js";
import type { Emit } from "../events.js";
import type { LabProxy } from "../proxy/proxy.js";
import type { RedisInUse } from "../redis/discover.js";
import { CannotRunError } from "../scenarios/client.js";
import { SCENARIO_TITLES } from "../scenarios/types.js";
import type { Exercise } from "../workspace/catalogue.js";
import { REQUEST_TIMEOUT_MS } from "./check.js";
import { type CheckReport, gradeTarget } from "./check-report.js";

export interface RunningCheckOptions {
  readonly exercise: Exercise;
  readonly cluster: Cluster;
  readonly proxy: LabProxy;
  readonly redis: RedisInUse | undefined;
  readonly command: string;
  /** Restarts every instance the way `r` does; resolves when that restart is over. */
  readonly restart: () => Promise<void>;
  readonly emit: Emit;
  /** Stops the check when start stops. */
  readonly signal: AbortSignal;
  /** The workspace whose progress to record, when the attendee's copy runs. */
  readonly record: string | undefined;
}

/** The c key of `start`: the same scenarios as `check`, against the cluster already running. */
export async function checkRunningCluster(options: RunningCheckOptions): Promise<CheckReport> {
  const { cluster, proxy, exercise, emit } = options;
  const began = performance.now();
  const redisLabel = options.redis?.label ?? "none";
  const ports = cluster.refs.map((r) => r.port);
  emit({
    type: "check:begin",
    exercise: exercise.id,
    title: exercise.title,
    target: `the running ${ports.length} instance${ports.length === 1 ? "" : "s"} of ${options.command}`,
    redis: redisLabel,
  });
  const down = cluster.instances.filter((i) => !i.running).map((i) => `:${i.ref.port}`);
  return gradeTarget({
    exercise,
    boot: {
      id: "boot",
      title: SCENARIO_TITLES.boot,
      status: down.length === 0 ? "pass" : "error",
      summary:
        down.length === 0
          ? `${ports.map((p) => `:${p}`).join(", ")} are running`
          : `${down.join(", ")} not running`,
      cause: down.length === 0 ? undefined : "an instance is down",
      hint: down.length === 0 ? undefined : "Press r to restart the instances, then c again.",
      observations: [],
      ms: 0,
    },
    target: {
      proxyUrl: proxy.url,
      instances: ports,
      expectedInstances: ports.length,
      restart: async () => {
        await options.restart();
        if (cluster.instances.some((i) => !i.running)) {
          throw new CannotRunError("after the restart, not every instance came back");
        }
      },
      redisUrl: options.redis?.url,
      redisLabel,
      logOf: (port) => cluster.instances.find((i) => i.ref.port === port)?.log.lines ?? [],
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      signal: options.signal,
    },
    began,
    emit,
    targetInfo: { kind: "cluster", url: proxy.url, command: options.command, redis: redisLabel },
    record: options.record,
  });
}
