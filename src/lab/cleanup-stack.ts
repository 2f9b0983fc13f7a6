/**
 * Undo steps, run last-in first-out, each even if an earlier one fails: what a command set
 * up is torn down in reverse, whatever way the command ends.
 */
export class CleanupStack {
  readonly #steps: Array<() => unknown> = [];

  defer(step: () => unknown): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    let first: unknown;
    while (this.#steps.length > 0) {
      const step = this.#steps.pop() as () => unknown;
      try {
        await step();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }
}

/** Resolves once the signal aborts (at once when it already has): a command that serves until Ctrl-C. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true }),
  );
}
