/**
 * Runs `task` one at a time. A call while it runs schedules exactly one more run after it,
 * however many calls arrive (a burst of saves restarts the cluster once more, not ten
 * times); the promise a call returns settles when a run that began after the call is done.
 */
export function serialise(task: () => Promise<void>): {
  run: () => Promise<void>;
  idle: () => Promise<void>;
} {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const start = (): Promise<void> => {
    running = task()
      .catch(() => {})
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const run = (): Promise<void> => {
    if (!running) return start();
    queued ??= running.then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
  const idle = async () => {
    while (running || queued) await (queued ?? running);
  };
  return { run, idle };
}
