import type { ScenarioClient } from "../client/client.js";
import { isDelete, isRead, isWrite, type KeyTouch } from "../diagnosis/observations.js";
import type { Observer } from "../evidence/observer.js";
import type { Observation } from "../model/results.js";
import { pollUntil } from "../poll.js";
import { keyState } from "../redis/key-state.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { loggedInAs } from "./logout.js";
import { gradeLogoutUndone, gradeLostUpdate, type RaceTiming } from "./race-grading.js";

/**
 * How long the slow request waits (?delay=), after its session is loaded: the window in which
 * the lab sends the others. It sends them only once Redis shows the slow one has read the
 * session, and grades only if they all answered before it: never a guess at timing.
 */
export const SLOW_MS = 1000;
/** How many items one visitor adds at the same time. */
export const ADDITIONS = 5;

/** Without watching Redis the lab cannot know the slow request is under way: no grade then. */
const notWatched = (observations: Observation[] = []): ScenarioOutcome => ({
  status: "error",
  summary:
    "the lab cannot see when the slow request has loaded its session: it does not watch what the instances send Redis here",
  causeId: "race-not-provoked",
  cause: "the lab could not make two requests of one visitor run at the same time",
  hint: "Let the lab start the app (not --url), with a Redis that allows MONITOR (the lab's own, or REDIS_URL).",
  observations,
});

type Seen = Observation & { readonly user: string };

async function visit(client: ScenarioClient, path: string, values: string[] = []): Promise<Seen> {
  const { body, ...o } = await client.page(path, values);
  return { ...o, user: loggedInAs(body) };
}

const strip = ({ user, ...o }: Seen): Observation => ({ ...o, shows: o.shows || user });

/** The visitor's session key, once a value has been set through the proxy and watched. */
async function sessionKey(ctx: ScenarioContext, client: ScenarioClient, value: string) {
  await ctx.set(client, value);
  return ctx.observer && ctx.findSession ? await ctx.findSession(client) : undefined;
}

/**
 * Starts `slow` and waits until Redis shows an instance reading `key` for it (the session is
 * loaded; the app now waits ?delay=). Returns where, and when (the server's clock).
 */
async function slowInFlight<T>(
  observer: Observer,
  key: string,
  slow: () => Promise<T>,
): Promise<{ pending: Promise<{ value?: T; error?: unknown; at: number }>; read?: KeyTouch }> {
  const from = await observer.settle();
  const pending = slow().then(
    (value) => ({ value, at: performance.now() }),
    (error: unknown) => ({ error, at: performance.now() }),
  );
  const read = await pollUntil(
    async () => (await observer.touchesSince(from)).find((t) => t.key === key && isRead(t)),
    { timeoutMs: SLOW_MS, everyMs: 10 },
  );
  return { pending, read };
}

async function writesOf(observer: Observer, key: string, cursor: number) {
  return (await observer.touchesSince(cursor)).filter((t) => t.key === key);
}

export async function lostUpdate(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const a = ctx.client("A");
  const first = ctx.token();
  const found = await sessionKey(ctx, a, first);
  const observer = ctx.observer;
  if (!observer || !found) return notWatched();
  const items = Array.from({ length: ADDITIONS }, () => ctx.token());
  const cursor = await observer.settle();
  const [slowItem, ...others] = items as [string, ...string[]];
  const { pending, read } = await slowInFlight(observer, found.key, () =>
    a.get(`/cart/add/${slowItem}?delay=${SLOW_MS}`, items),
  );
  const fast = await Promise.all(others.map((item) => a.get(`/cart/add/${item}`, items)));
  const fastDone = performance.now();
  const slow = await pending;
  if (slow.error) throw slow.error;
  const timing: RaceTiming = {
    slowPort: read?.port,
    othersFirst: read !== undefined && fastDone < slow.at,
    delayMs: SLOW_MS,
  };
  const reads: (Observation & { held: string[] })[] = [];
  for (let i = 0; i < ctx.reads; i++) {
    const { body, ...o } = await a.page("/cart", items);
    reads.push({ ...o, held: items.filter((item) => body.includes(item)) });
  }
  const writes = read
    ? (await writesOf(observer, found.key, cursor))
        .filter((t) => isWrite(t) && t.at >= read.at)
        .map((t) => ({ port: t.port, afterMs: t.at - read.at }))
    : [];
  return {
    ...gradeLostUpdate({ items, reads, timing, writes }),
    observations: [...(slow.value ? [slow.value] : []), ...fast, ...reads],
  };
}

export async function logoutUndone(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const user = `ada-${ctx.token().slice(3, 9)}`;
  const a = ctx.client("A");
  const login = await visit(a, `/login/${user}`);
  const found = await sessionKey(ctx, a, ctx.token());
  const observer = ctx.observer;
  const redisUrl = ctx.redisUrl;
  if (!observer || !found || !redisUrl) return notWatched([strip(login)]);
  const before = a.cookieHeader();
  const late = ctx.token();
  const cursor = await observer.settle();
  const { pending, read } = await slowInFlight(observer, found.key, () =>
    a.get(`/session/set/${late}?delay=${SLOW_MS}`, [late]),
  );
  const out = await visit(a, "/logout");
  const loggedOutAt = Date.now();
  const logoutDone = performance.now();
  const slow = await pending;
  if (slow.error) throw slow.error;
  const timing: RaceTiming = {
    slowPort: read?.port,
    othersFirst: read !== undefined && logoutDone < slow.at,
    delayMs: SLOW_MS,
  };
  const touches = await writesOf(observer, found.key, cursor);
  const deleted = touches.find((t) => isDelete(t) && (read === undefined || t.at >= read.at));
  const since = deleted?.at ?? loggedOutAt;
  const writesAfter = touches
    .filter((t) => isWrite(t) && t.at >= since)
    .map((t) => ({ port: t.port, afterMs: t.at - since }));
  const keyBack = (await keyState(redisUrl, found.key, found.db)) !== undefined;
  const x = ctx.client("X");
  if (before) x.plant(before);
  const oldCookie: Seen[] = [];
  for (let i = 0; i < ctx.reads; i++) oldCookie.push(await visit(x, "/whoami"));
  return {
    ...gradeLogoutUndone({
      user,
      keyBack,
      key: found.key,
      writesAfter,
      oldCookie,
      logoutPort: out.port,
      timing,
    }),
    observations: [login, out, ...oldCookie].map(strip).concat(slow.value ? [slow.value] : []),
  };
}
