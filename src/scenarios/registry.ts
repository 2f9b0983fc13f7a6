import type { ScenarioId } from "../model/results.js";
import { clusterLogout, clusterSessions } from "./cluster.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { idleExpiry, slidingExpiry } from "./expiry.js";
import { primaryHang, sentinelFailover } from "./failover.js";
import { fixation } from "./fixation.js";
import { isolation } from "./isolation.js";
import { logoutEverywhere, logoutOne } from "./logout.js";
import { redisOutage } from "./outage.js";
import { logoutUndone, lostUpdate } from "./races.js";
import { clusterResharding } from "./resharding.js";
import { restart } from "./restart.js";
import { shared } from "./shared.js";
import { storeEvidence } from "./store-evidence.js";
import { unset } from "./unset.js";

/** The scenarios that make requests; "boot" is the cluster coming up, graded by the runner. */
export const SCENARIOS: Record<
  Exclude<ScenarioId, "boot">,
  (ctx: ScenarioContext) => Promise<ScenarioOutcome>
> = {
  shared,
  unset,
  isolation,
  restart,
  "store-evidence": storeEvidence,
  "logout-everywhere": logoutEverywhere,
  "logout-one": logoutOne,
  "sliding-expiry": slidingExpiry,
  "idle-expiry": idleExpiry,
  "redis-outage": redisOutage,
  "sentinel-failover": sentinelFailover,
  "primary-hang": primaryHang,
  "cluster-sessions": clusterSessions,
  "cluster-resharding": clusterResharding,
  "cluster-logout": clusterLogout,
  "lost-update": lostUpdate,
  "logout-undone": logoutUndone,
  fixation,
};
