import type { CleanupStack } from "./cleanup-stack.js";

/**
 * Awaits set-up steps that run in parallel. When one fails, the others are still awaited and
 * what they opened is closed before the first failure is thrown: nothing half set up stays.
 */
export async function settleAll<T extends readonly unknown[]>(
  cleanup: CleanupStack,
  steps: { readonly [K in keyof T]: Promise<T[K]> | T[K] },
): Promise<T> {
  const settled = await Promise.allSettled(steps);
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) {
    for (const s of settled)
      if (s.status === "fulfilled") cleanup.defer(() => closeIfCloseable(s.value));
    throw failure.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function closeIfCloseable(value: unknown): Promise<void> {
  if (typeof value === "function") await value();
  else if (value && typeof (value as { close?: unknown }).close === "function")
    await (value as { close(): Promise<void> }).close();
}
