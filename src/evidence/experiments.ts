import type { Dispatcher } from "undici";
import { directGet, type ScenarioClient } from "../client/client.js";
import { type FreshSet, isWrite, type KeyTouch, type Replay } from "../diagnosis/observations.js";
import type { Experiment } from "../model/results.js";
import { pollUntil } from "../poll.js";
import { keyState } from "../redis/key-state.js";
import type { Observer } from "./observer.js";

/** How long a write may come after its answer and still be seen (a store that saves late). */
const LATE_WRITE_MS = 1500;

/** What the experiments need: the instances, reached directly, and the observer. */
export interface Bench {
  readonly observer: Observer;
  readonly instances: readonly number[];
  /** "http://127.0.0.1:5002" for the instance on 5002. */
  readonly instanceUrl: (port: number) => string;
  readonly proxyUrl: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly token: () => string;
  /** The Redis the instances were given, to read a key's TTL. */
  readonly redisUrl: string | undefined;
}

/**
 * The visitor's cookie (the Cookie header a browser would send to "/"), sent to every
 * instance directly, one at a time: does it show the value, which key does it read in which
 * database, does it answer with a new cookie?
 */
export async function replayCookie(
  bench: Bench,
  client: ScenarioClient,
  value: string,
): Promise<{ replays: Replay[]; experiment: Experiment }> {
  // The cookie as it was right after the value was set: later answers may have replaced it.
  const cookie = client.stored ? client.stored.cookie : client.jar.header(bench.proxyUrl);
  const held = new Map(
    (cookie ?? "").split(/;\s*/).map((pair) => [pair.split("=", 1)[0] ?? "", pair] as const),
  );
  const replays: Replay[] = [];
  for (const port of bench.instances) {
    const { result, touches } = await bench.observer.around(port, () =>
      directGet(`${bench.instanceUrl(port)}/`, cookie, [value], bench.dispatcher, bench.timeoutMs),
    );
    const reissued = result.setCookie
      .map((line) => (line.split(";", 1)[0] ?? "").trim())
      .find((pair) => {
        const name = pair.split("=", 1)[0] ?? "";
        return held.has(name) && held.get(name) !== pair;
      })
      ?.split("=", 1)[0];
    replays.push({
      port,
      sentCookie: cookie !== undefined,
      shows: result.shows === value,
      ...(reissued ? { reissued } : {}),
      touches,
    });
  }
  return {
    replays,
    experiment: {
      name: "replay-cookie",
      tried: `sent the visitor's cookie to each instance directly (${bench.instances.map((p) => `:${p}`).join(", ")})`,
      saw: replays
        .map(
          (r) =>
            `:${r.port} ${r.shows ? "showed the value" : "did not show it"}${describeTouches(r.touches)}${r.reissued ? `, answered with a new ${r.reissued} cookie` : ""}`,
        )
        .join("; "),
      data: { replays },
    },
  };
}

/**
 * A new visitor sets a value on each instance directly: what does each write to Redis while
 * answering, and does a write come after the answer (a store that saves late)?
 */
export async function freshSets(
  bench: Bench,
): Promise<{ fresh: FreshSet[]; experiment: Experiment }> {
  const answered: { port: number; inAnswer: KeyTouch[]; cursor: number; at: number }[] = [];
  for (const port of bench.instances) {
    const value = bench.token();
    const { touches, end } = await bench.observer.around(port, () =>
      directGet(
        `${bench.instanceUrl(port)}/session/set/${value}`,
        undefined,
        [value],
        bench.dispatcher,
        bench.timeoutMs,
      ),
    );
    answered.push({
      port,
      inAnswer: touches,
      cursor: end,
      at: Date.now(),
    });
  }
  // Only an instance that talks to Redis at all, and wrote nothing while answering, may be
  // one that writes late: an app without a Redis client is not waited for.
  const talkers = await bench.observer.talkers();
  const waiting = answered.filter((a) => !a.inAnswer.some(isWrite) && talkers.has(a.port));
  const lateOf = async (a: (typeof answered)[number]) =>
    (await bench.observer.touchesSince(a.cursor)).filter((t) => isWrite(t) && t.port === a.port);
  const late = new Map<number, { touches: KeyTouch[]; ms: number }>();
  if (waiting.length > 0) {
    await pollUntil(
      async () => {
        for (const a of waiting) {
          if (late.has(a.port)) continue;
          const touches = await lateOf(a);
          if (touches.length > 0) late.set(a.port, { touches, ms: Date.now() - a.at });
        }
        return late.size === waiting.length;
      },
      { timeoutMs: LATE_WRITE_MS, everyMs: 50 },
    );
  }
  const fresh: FreshSet[] = [];
  for (const a of answered) {
    const after = late.get(a.port);
    const written = [...a.inAnswer, ...(after?.touches ?? [])].find(isWrite);
    const state =
      written && bench.redisUrl
        ? await keyState(bench.redisUrl, written.key, written.db).catch(() => undefined)
        : undefined;
    fresh.push({
      port: a.port,
      inAnswer: a.inAnswer,
      after: after?.touches ?? [],
      ...(after ? { afterMs: after.ms } : {}),
      ...(state ? { pttlMs: state.pttlMs } : {}),
    });
  }
  return {
    fresh,
    experiment: {
      name: "fresh-set",
      tried: `set a new visitor's value on each instance directly, watching Redis while it answered (and ${LATE_WRITE_MS} ms past the answer, for an instance that talks to Redis)`,
      saw: fresh
        .map((f) => {
          const wrote = f.inAnswer.filter(isWrite);
          const later = f.after[0];
          if (wrote.length > 0)
            return `:${f.port} wrote ${wrote.map(keyIn).join(", ")} while answering`;
          if (later) return `:${f.port} wrote ${keyIn(later)} ${f.afterMs} ms after answering`;
          return `:${f.port} wrote nothing to Redis`;
        })
        .join("; "),
      data: { fresh },
    },
  };
}

function keyIn(t: KeyTouch): string {
  return `${t.key} (database ${t.db})`;
}

function describeTouches(touches: readonly KeyTouch[]): string {
  if (touches.length === 0) return ", sent Redis nothing";
  const shown = touches.slice(0, 3).map((t) => `${t.command} ${keyIn(t)}`);
  return `, sent ${shown.join(", ")}${touches.length > 3 ? ` and ${touches.length - 3} more` : ""}`;
}
