/**
 * Runs `task` one at a time. A call while it runs schedules exactly one more run after it,
 * however many calls arrive (a burst of saves restarts the cluster once more, not ten
 * times); the promise a call returns settles when a run that began after the call is done,
 * and rejects when that run failed: a failure reaches every caller that waits for it.
 */
export function serialise(task: () => Promise<void>): {
  run: () => Promise<void>;
  idle: () => Promise<void>;
} {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    const run = task().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  const run = (): Promise<void> => {
    if (!running) return start();
    // The next run starts whatever the current one did; its own outcome is its callers'.
    queued ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
  /** Settles once nothing runs or waits to run; a failure was its callers' to handle. */
  const idle = async () => {
    while (running || queued) await (queued ?? running)?.catch(() => {});
  };
  return { run, idle };
}
