import type { Emit } from "../events.js";
import type { FailoverControl } from "../redis/topology.js";

/** How long the sentinels may take to name a new primary, and a replica to be in sync. */
const SWITCH_MS = 10_000;

/**
 * The live page's "Fail over now" (exercise 05, in `start` and `load`): SENTINEL FAILOVER, one
 * at a time. Writes to the old primary are paused first (and its replica caught up), so none
 * is lost in the switch itself; the old primary is demoted as soon as the sentinels name the
 * new one (as they would themselves ~10 s later), so that the room sees the switch as an app
 * meets it: writes to the old address fail with READONLY. Returns the button's action and a
 * way to end a failover still under way.
 */
export function failoverAction(
  control: FailoverControl,
  emit: Emit,
): { run(): void; close(): Promise<void> } {
  let running: Promise<void> | undefined;
  // Closing the lab ends a failover's waiting at once (Ctrl-C never waits ~10 s for it).
  const stop = new AbortController();
  return {
    run() {
      if (stop.signal.aborted) return;
      running ??= failOver(control, emit, stop.signal)
        .catch((error: unknown) =>
          emit({
            type: "redis:failover-asked",
            failed: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          running = undefined;
        });
    },
    async close() {
      stop.abort();
      await running;
    },
  };
}

async function failOver(control: FailoverControl, emit: Emit, signal: AbortSignal): Promise<void> {
  // The previous failover's old primary must be back as a replica the sentinels trust.
  if (!(await control.waitForReplica(SWITCH_MS, signal))) {
    if (signal.aborted) return;
    emit({
      type: "redis:failover-asked",
      failed: "there is no replica in sync to fail over to yet; try again in a few seconds",
    });
    return;
  }
  emit({ type: "redis:failover-asked" });
  // No write lands on the old primary once the switch begins: a lost session is the app's.
  const fence = await control.fence(SWITCH_MS + 2000);
  let now: string | undefined;
  try {
    await control.failover();
    now = await control.waitForNewPrimary(fence.primary, SWITCH_MS, signal);
  } finally {
    if (!now) await fence.lift();
  }
  if (!now) {
    if (signal.aborted) return;
    throw new Error(`the sentinels named no new primary within ${SWITCH_MS / 1000} s`);
  }
  await control.demote(fence.primary, now);
}
