import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { connectRedis, labClients, noteLabClient } from "./inspect.js";
import {
  CommandLog,
  decodeMonitorEvent,
  MARK_PREFIX,
  refusalOf,
  SCRIPT_COMMANDS,
  type SeenCommand,
} from "./monitor-line.js";
import { maskRedisUrl } from "./url.js";

const STOPPED = "the watch was stopped before it started";

export interface WatchOptions {
  /** Closes the watch when aborted. */
  readonly signal?: AbortSignal;
  /** How long connecting and MONITOR's answer may take (2 s). */
  readonly timeoutMs?: number;
  /** How long mark() waits for MONITOR to catch up (5 s): long values take a while to arrive. */
  readonly markTimeoutMs?: number;
  /** How many commands are kept; the oldest are dropped first. */
  readonly limit?: number;
}

/**
 * What clients send a Redis, as its MONITOR shows it, without the lab's own commands (those
 * of connections made by connectRedis, and of clients passed to ignore()).
 */
export interface RedisWatch {
  /** Why nothing is recorded (MONITOR not allowed, Redis unreachable); undefined when recording. */
  readonly refused: string | undefined;
  /** Why recording stopped before close() (the connection to Redis ended); undefined if not. */
  lost(): string | undefined;
  /** Leaves the commands of this client ("127.0.0.1:54321", as Redis names it) out from now on. */
  ignore(client: string): void;
  /**
   * Resolves once every command Redis ran before this call has been recorded: it sends a
   * marker on a connection of the watch's own and waits for MONITOR to show it. Resolves with
   * the marker's position, for since(): the commands before it ran before the marker, the ones
   * after it (MONITOR may have delivered some with it) ran after. Resolves at once, with the
   * cursor, when the watch records nothing (refused, lost, closed); rejects when the marker
   * could not be sent or was not shown in time (Redis gone or paused).
   */
  mark(): Promise<number>;
  /** The commands recorded and still kept, oldest first. */
  commands(): readonly SeenCommand[];
  /** A position after the commands recorded so far, for since(). */
  cursor(): number;
  /** The commands recorded after the position cursor() gave (those still kept). */
  since(cursor: number): readonly SeenCommand[];
  /** How many of the oldest commands were dropped to keep at most `limit`. */
  dropped(): number;
  /** Ends both connections; again does nothing. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts watching what clients send the Redis at `url` (MONITOR, on a connection of its own).
 * Never throws: when MONITOR cannot run, the watch's `refused` says why. Commands Redis ran
 * before this resolves may or may not be recorded. MONITOR slows a busy Redis down: watch a
 * workshop's Redis, not a production one.
 */
export async function watchRedis(url: string, options: WatchOptions = {}): Promise<RedisWatch> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const markMs = options.markTimeoutMs ?? 5000;
  const { signal } = options;
  if (signal?.aborted) return refusedWatch(STOPPED);
  // ioredis drops MONITOR when a monitored line arrives in the same read as its OK ("Command
  // queue state error"), which a busy Redis makes likely: startMonitor closes that window, and
  // should it still happen (another ioredis), it is tried again, twice.
  let started: Awaited<ReturnType<typeof startMonitor>>;
  for (let attempt = 1; ; attempt++) {
    started = await startMonitor(url, timeoutMs, signal);
    if (!("why" in started) || !/Command queue state error/.test(started.why) || attempt === 3)
      break;
  }
  if ("why" in started)
    return refusedWatch(signal?.aborted ? STOPPED : refusalOf(started.why, maskRedisUrl(url)));
  const { monitor } = started;
  let lastError: string | undefined;
  monitor.on("error", (error: Error) => {
    lastError = error.message;
  });

  const log = new CommandLog(options.limit ?? 20_000);
  const ignored = new Set<string>();
  const markers = new Map<string, (position: number) => void>();
  const id = randomUUID().slice(0, 8);
  let marks = 0;
  let scriptCaller: string | undefined;
  let lostWhy: string | undefined;
  let closing: Promise<void> | undefined;
  let marker: Promise<Redis> | undefined;
  const settleMarks = () => {
    for (const seen of markers.values()) seen(log.total);
    markers.clear();
  };

  monitor.on("monitor", (time: unknown, args: unknown, source: unknown, database: unknown) => {
    const seen = decodeMonitorEvent(time, args, source, database);
    if (!seen) return;
    if (seen.name === "ECHO" && seen.args[0]?.startsWith(MARK_PREFIX)) {
      // Ours (caught up to here) or another watch's: never recorded either way.
      markers.get(seen.args[0])?.(log.total);
      return;
    }
    // A script's commands come right after the command that ran it, all from "lua".
    if (seen.client !== "lua")
      scriptCaller = SCRIPT_COMMANDS.has(seen.name) ? seen.client : undefined;
    const command =
      seen.client === "lua" && scriptCaller ? { ...seen, caller: scriptCaller } : seen;
    const who = command.caller ?? command.client;
    if (!ignored.has(who) && !labClients.has(who)) log.push(command);
  });
  monitor.once("end", () => {
    if (!closing) lostWhy = `the MONITOR connection ended (${lastError ?? "closed by Redis"})`;
    settleMarks();
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      signal?.removeEventListener("abort", onAbort);
      settleMarks();
      monitor.disconnect();
      const own = await marker?.catch(() => undefined);
      own?.disconnect();
      await Promise.all([ended(monitor), own && ended(own)]);
    })();
    return closing;
  };
  const onAbort = () => void close();
  signal?.addEventListener("abort", onAbort, { once: true });

  const mark = async (): Promise<number> => {
    if (closing || lostWhy !== undefined) return log.total;
    const token = `${MARK_PREFIX}${id}:${++marks}`;
    const shown = new Promise<number>((resolve) => markers.set(token, resolve));
    try {
      marker ??= connectRedis(url, timeoutMs);
      const own = await marker.catch((error: unknown) => {
        marker = undefined; // the next mark tries again
        throw error;
      });
      await own.echo(token);
      return await within(shown, markMs, `MONITOR did not show the watch's marker in ${markMs} ms`);
    } catch (error) {
      if (closing || lostWhy !== undefined) return log.total; // stopped meanwhile: nothing more to wait for
      throw error;
    } finally {
      markers.delete(token);
    }
  };

  return {
    refused: undefined,
    lost: () => lostWhy,
    ignore: (client) => void ignored.add(client),
    mark,
    commands: () => log.since(0),
    cursor: () => log.total,
    since: (cursor) => log.since(cursor),
    dropped: () => log.dropped,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A connection in MONITOR mode, or why there is none (it is closed then). */
async function startMonitor(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ monitor: Redis } | { why: string }> {
  const monitor = new Redis(url, {
    lazyConnect: true,
    monitor: true,
    connectTimeout: timeoutMs,
    commandTimeout: Math.max(timeoutMs, 3000),
    enableOfflineQueue: false,
    // INFO, the ready check, may be denied to a user that MONITOR is allowed to.
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  noteLabClient(monitor);
  monitoringOnceSent(monitor);
  // Errors after this one are the caller's to hear; until MONITOR runs, they say why not.
  monitor.on("error", () => {});
  const why = await monitoring(monitor, signal);
  if (why === undefined) return { monitor };
  monitor.disconnect();
  await ended(monitor);
  return { why };
}

/**
 * ioredis marks a connection "monitoring" only once MONITOR's OK has been handled, a promise
 * turn later: a monitored line that came in the same read as the OK finds the connection in
 * neither state and the connection is dropped ("Command queue state error"). Marked as soon as
 * MONITOR is written instead, the OK still answers MONITOR (ioredis passes an OK on to the
 * command queue in that state) and every line after it is read as monitored data.
 */
function monitoringOnceSent(monitor: Redis): void {
  const client = monitor as unknown as {
    call(name: string, ...args: unknown[]): Promise<unknown>;
    status: string;
  };
  const call = client.call.bind(monitor);
  client.call = (name, ...args) => {
    const reply = call(name, ...args);
    if (name.toLowerCase() === "monitor" && client.status === "ready") client.status = "monitoring";
    return reply;
  };
}

/** Resolves when MONITOR runs, or with why not (the first error, or the abort). */
function monitoring(monitor: Redis, signal: AbortSignal | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const done = (why: string | undefined) => {
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onAbort = () => done(STOPPED);
    signal?.addEventListener("abort", onAbort, { once: true });
    monitor.once("monitoring", () => done(undefined));
    // A refused MONITOR leaves the connection open, with an error event saying why.
    monitor.once("error", (error: Error) => done(error.message));
    monitor.once("end", () => done("the connection closed"));
    monitor.connect().catch((error: Error) => done(error.message));
  });
}

function refusedWatch(why: string): RedisWatch {
  const nothing = async () => {};
  return {
    refused: why,
    lost: () => undefined,
    ignore: () => {},
    mark: async () => 0,
    commands: () => [],
    cursor: () => 0,
    since: () => [],
    dropped: () => 0,
    close: nothing,
    [Symbol.asyncDispose]: nothing,
  };
}

/** Resolves when the connection has ended, or after a second regardless. */
function ended(client: Redis): Promise<void> {
  if (client.status === "end") return Promise.resolve();
  return within(
    new Promise<void>((resolve) => client.once("end", () => resolve())),
    1000,
    "",
  ).catch(() => {});
}

async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
