import type { Emit } from "../events.js";
import type { FailoverControl } from "../redis/topology.js";

/** How long the sentinels may take to name a new primary, and a replica to be in sync. */
const SWITCH_MS = 10_000;

/**
 * The live page's "Fail over now" (exercise 05, in `start` and `load`): SENTINEL FAILOVER, as
 * the check does it, one at a time. The old primary is demoted as soon as the sentinels name
 * the new one (as they would themselves ~10 s later), so that the room sees the switch as an
 * app meets it: writes to the old address fail with READONLY. Returns the button's action and
 * a way to wait for a failover still under way.
 */
export function failoverAction(
  control: FailoverControl,
  emit: Emit,
): { run(): void; idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  return {
    run() {
      running ??= failOver(control, emit)
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
    idle: async () => {
      await running;
    },
  };
}

async function failOver(control: FailoverControl, emit: Emit): Promise<void> {
  // The previous failover's old primary must be back as a replica the sentinels trust.
  if (!(await control.waitForReplica(SWITCH_MS))) {
    emit({
      type: "redis:failover-asked",
      failed: "there is no replica in sync to fail over to yet; try again in a few seconds",
    });
    return;
  }
  const old = await control.primary();
  if (!old) throw new Error("the sentinels do not agree on a primary yet");
  emit({ type: "redis:failover-asked" });
  await control.failover();
  const now = await control.waitForNewPrimary(old, SWITCH_MS);
  if (!now) throw new Error(`the sentinels named no new primary within ${SWITCH_MS / 1000} s`);
  await control.demote(old, now);
}
