import type { ScenarioClient } from "../client/client.js";
import type { Observation } from "../model/results.js";

/** The ports that served these reads, each once, in order: for "… on :5001, :5002". */
export function portsOf(reads: readonly { port: number | null }[]): number[] {
  return [...new Set(reads.flatMap((r) => (r.port === null ? [] : [r.port])))].sort(
    (a, b) => a - b,
  );
}

/** Formats ports as ":5001, :5002". */
export function ports(list: readonly number[]): string {
  return list.map((p) => `:${p}`).join(", ");
}

/**
 * Per instance that served any of `reads`: did it show `value`? With "every", all its reads
 * must show it (a value that comes and goes is not shared); with "any", one is enough.
 */
export function visibility(
  reads: readonly Observation[],
  value: string,
  instances: readonly number[],
  mode: "every" | "any" = "every",
): { port: number; saw: boolean }[] {
  const served = new Set(reads.map((r) => r.port).filter((p): p is number => p !== null));
  const order = [...new Set([...instances, ...served])].sort((a, b) => a - b);
  return order
    .filter((port) => served.has(port))
    .map((port) => {
      const mine = reads.filter((r) => r.port === port);
      const saw =
        mode === "every"
          ? mine.every((r) => r.shows === value)
          : mine.some((r) => r.shows === value);
      return { port, saw };
    });
}

/** `count` reads of "/" by one visitor, each noting which of `values` the page showed. */
export async function readAll(
  client: ScenarioClient,
  count: number,
  values: string[],
): Promise<Observation[]> {
  const out: Observation[] = [];
  for (let i = 0; i < count; i++) out.push(await client.get("/", values));
  return out;
}
