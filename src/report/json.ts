import type { Emit } from "../events.js";

/** One JSON object per line per event, for scripts and autograders. */
export function createJsonLinesReporter(out: NodeJS.WritableStream): Emit {
  return (event) => {
    out.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  };
}
