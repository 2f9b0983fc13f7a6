export interface Batched<T> {
  next(): Promise<T>;
}

/**
 * Calls of `look` that share its answer when they may: a call that finds a look under way
 * waits for the next one, which begins when that ends and serves every call made meanwhile.
 * Each caller gets a look that began after it asked (a process it just saw start is seen).
 * `idle` is called when a look ends and none is waiting.
 */
export function batched<T>(look: () => Promise<T>, idle: () => void): Batched<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const current = look().finally(() => {
      if (running === current) running = undefined;
      if (!queued) idle();
    });
    running = current;
    return current;
  };
  return {
    next() {
      if (!running) return start();
      queued ??= running
        .catch(() => undefined)
        .then(() => {
          queued = undefined;
          return start();
        });
      return queued;
    },
  };
}
