import type { LabEvent } from "../events.js";
import type { InstanceStatus, LiveState } from "./live-model.js";
import { applyRedisEvent } from "./live-redis.js";

/**
 * The state after one of the lab's own events (at `at`): instances coming and going, a check,
 * a load, the lab's own Redis topology.
 */
export function applyLabEvent(state: LiveState, event: LabEvent, at = Date.now()): LiveState {
  const setStatus = (port: number | "all", status: InstanceStatus) => ({
    ...state,
    instances: state.instances.map((i) =>
      port === "all" || i.port === port ? { ...i, status } : i,
    ),
  });
  switch (event.type) {
    case "instance:ready":
      return setStatus(event.instance.port, "up");
    case "instance:exit":
      return setStatus(event.instance.port, event.expected ? "restarting" : "down");
    case "cluster:restarting":
      return setStatus("all", "restarting");
    case "check:begin":
      return { ...state, check: { running: true, scenarios: [] } };
    case "scenario":
      return {
        ...state,
        check: {
          running: true,
          scenarios: [
            ...(state.check?.scenarios ?? []),
            { id: event.result.id, status: event.result.status, summary: event.result.summary },
          ],
        },
      };
    case "check:end":
      return {
        ...state,
        check: {
          running: false,
          verdict: event.report.verdict,
          cause: event.report.cause,
          scenarios: state.check?.scenarios ?? [],
        },
      };
    case "load:begin":
      return { ...state, load: { running: true } };
    case "load:end": {
      const r = event.report;
      const share =
        r.reads === 0 ? "no read" : `${((100 * r.lost) / r.reads).toFixed(1)}% of reads lost`;
      return {
        ...state,
        load: {
          running: false,
          summary: `${r.requests} requests at ${r.requestsPerSecond} req/s · ${share}`,
        },
      };
    }
    case "redis:topology":
    case "redis:failover-asked": {
      const redis = applyRedisEvent(state.redis, event, at);
      return redis ? { ...state, redis } : state;
    }
    default:
      return state;
  }
}
