import type { Readable } from "node:stream";
import { type OutputGate, respectGate } from "./output-gate.js";

/** Longest line kept; an app printing one endless line must not grow the lab's memory. */
const MAX_LINE = 8192;

/** Calls `onLine` for each line of a stream, holding at most one (capped) partial line. */
export function forEachLine(
  stream: Readable,
  onLine: (line: string) => void,
  gate?: OutputGate,
): void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (partial + chunk).split(/\r?\n/);
    partial = parts.pop() ?? "";
    for (const line of parts) onLine(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
    if (partial.length > MAX_LINE) {
      onLine(`${partial.slice(0, MAX_LINE)}…`);
      partial = "";
    }
    respectGate(stream, gate);
  });
  stream.on("end", () => {
    if (partial) onLine(partial);
    partial = "";
  });
}

/** A fixed-size memory of the last lines, for error reports. */
export class LastLines {
  readonly #lines: string[] = [];
  constructor(readonly size = 20) {}
  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }
  get lines(): readonly string[] {
    return [...this.#lines];
  }
  clear(): void {
    this.#lines.length = 0;
  }
}
