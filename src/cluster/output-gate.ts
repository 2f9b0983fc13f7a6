import type { Readable } from "node:stream";

/**
 * Tells the instances' log readers when the lab's own output is backed up, so they stop
 * reading (and the app's writes wait in its pipe) instead of the lab buffering without bound.
 */
export interface OutputGate {
  blocked(): boolean;
  onceOpen(resume: () => void): void;
}

export function outputGate(
  out: NodeJS.WritableStream & { writableNeedDrain?: boolean },
): OutputGate {
  return {
    blocked: () => out.writableNeedDrain === true,
    onceOpen: (resume) => {
      out.once("drain", resume);
    },
  };
}

/** Pauses `source` while the gate is blocked; call after handling each chunk of it. */
export function respectGate(source: Readable, gate: OutputGate | undefined): void {
  if (!gate?.blocked() || source.isPaused()) return;
  source.pause();
  gate.onceOpen(() => source.resume());
}
