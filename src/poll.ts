export interface PollOptions {
  /** Give up after this long; `check` runs at least once. */
  readonly timeoutMs: number;
  /** The pause between two looks. */
  readonly everyMs: number;
  /** Stops polling at once. */
  readonly signal?: AbortSignal;
}

/**
 * Looks again and again until `check` gives a truthy value, time runs out or `signal`
 * aborts, and returns the last value: the one way the lab waits for something it cannot be
 * told about (a process gone, a port answering), never a fixed sleep.
 */
export async function pollUntil<T>(check: () => T | Promise<T>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value || options.signal?.aborted || Date.now() >= deadline) return value;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(options.everyMs, Math.max(0, deadline - Date.now())));
      function done() {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", done);
        resolve();
      }
      options.signal?.addEventListener("abort", done, { once: true });
    });
  }
}
