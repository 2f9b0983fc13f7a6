import { isWrite, type KeyTouch } from "../diagnosis/observations.js";
import { pollUntil } from "../poll.js";
import { canTellConnections, connectionsOf } from "../processes/connections.js";
import { databaseOf } from "../redis/inspect.js";
import { keysOf, type SeenCommand } from "../redis/monitor-line.js";
import { type RedisWatch, watchRedis } from "../redis/watch.js";

/** An instance of the app, as the observer needs it: its port, and its process when known. */
export interface WatchedInstance {
  readonly port: number;
  /** The process group the lab started it in (its connections are its descendants'). */
  readonly pid: number | undefined;
}

/**
 * What the instances were seen sending the lab's Redis, the way a person with
 * `redis-cli MONITOR` would see it, with each command tied to the instance that sent it:
 * by the connection's owner where the OS tells (Linux /proc, lsof), else by the request
 * under way when it was sent (the lab sends one at a time, to one instance).
 */
export interface Observer {
  /** Why the lab cannot watch (MONITOR refused, no Redis); undefined when it watches. */
  readonly refused: string | undefined;
  /** The database REDIS_URL names. */
  readonly labDb: number;
  /**
   * Runs `act` (one request to one instance, `port` when known) and returns what Redis saw
   * meanwhile: every command sent while it ran, each key it touched.
   */
  around<T>(
    port: number | null | ((result: T) => number | null),
    act: () => Promise<T>,
  ): Promise<{ result: T; touches: KeyTouch[]; end: number }>;
  /** Every key touch an instance sent since the observer began (other clients left out). */
  touches(): Promise<KeyTouch[]>;
  /** The touches since a position `cursor()` gave. */
  touchesSince(cursor: number): Promise<KeyTouch[]>;
  cursor(): number;
  /**
   * Waits until every command sent so far has been recorded; resolves with the position, for
   * touchesSince(), that parts the commands sent before this call from those sent after.
   */
  settle(): Promise<number>;
  /** The instances (ports) that sent the lab's Redis any command at all during the check. */
  talkers(): Promise<Set<number>>;
  /** How many keys each instance (port) wrote to the lab's Redis, any database. */
  writeCounts(): Promise<Map<number, number>>;
  /** Learns now which instance holds which connection (before instances are replaced). */
  learn(): Promise<void>;
  /** What else each instance holds a TCP connection to ("127.0.0.1:6390"), the lab's Redis left out. */
  remotes(): Promise<{ port: number; address: string }[]>;
  close(): Promise<void>;
}

/** Opens an observer on the Redis handed to the instances; never throws (see `refused`). */
export async function openObserver(
  redisUrl: string,
  instances: () => readonly WatchedInstance[],
  signal?: AbortSignal,
): Promise<Observer> {
  const watch = await watchRedis(redisUrl, { signal });
  return new RedisObserver(watch, databaseOf(redisUrl), instances, endpointOf(redisUrl));
}

/** Commands a session store writes a session with, reads it with, or removes it with. */
class RedisObserver implements Observer {
  /** Client address -> instance port, from the OS, learnt as connections appear. */
  readonly #owners = new Map<string, number>();
  /**
   * Each command's instance, decided once, the first time it is looked at: a connection that
   * closed (a restart) frees its port for someone else's, so later looks could be wrong.
   */
  readonly #decided = new Map<number, number | undefined>();
  /** The instances found holding a connection to this Redis. */
  readonly #toRedis = new Set<number>();
  /**
   * Whether the OS tells which instance holds which connection (/proc, lsof): then a command
   * from a connection no instance holds is someone else's, never guessed from the request.
   */
  readonly #osTells = canTellConnections();
  /** Command position ranges during which one request to one instance was under way. */
  readonly #windows: { from: number; to: number; port: number }[] = [];

  constructor(
    readonly watch: RedisWatch,
    readonly labDb: number,
    readonly instances: () => readonly WatchedInstance[],
    readonly redisEndpoint: string,
  ) {}

  get refused(): string | undefined {
    return this.watch.refused ?? this.watch.lost();
  }

  cursor(): number {
    return this.watch.cursor();
  }

  async settle(): Promise<number> {
    return await this.watch.mark().catch(() => this.watch.cursor());
  }

  async around<T>(
    port: number | null | ((result: T) => number | null),
    act: () => Promise<T>,
  ): Promise<{ result: T; touches: KeyTouch[]; end: number }> {
    const from = await this.settle();
    const result = await act();
    // What Redis ran before the marker sent now came while answering; after it, later.
    const to = await this.settle();
    const served = typeof port === "function" ? port(result) : port;
    if (served !== null) this.#windows.push({ from, to, port: served });
    // The oldest commands may have been dropped (a busy Redis): positions start at the kept ones.
    const start = Math.max(from, this.watch.dropped());
    const touches = await this.#touchesOf(this.watch.since(from).slice(0, to - start), start);
    // Only what an instance of this lab sent: a shared Redis has other clients too.
    return { result, touches: touches.filter((t) => t.port !== undefined), end: to };
  }

  async touches(): Promise<KeyTouch[]> {
    return this.touchesSince(0);
  }

  async touchesSince(cursor: number): Promise<KeyTouch[]> {
    await this.settle();
    const touches = await this.#touchesOf(
      this.watch.since(cursor),
      Math.max(cursor, this.watch.dropped()),
    );
    return touches.filter((t) => t.port !== undefined);
  }

  async writeCounts(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const t of await this.touches())
      if (t.port !== undefined && isWrite(t)) counts.set(t.port, (counts.get(t.port) ?? 0) + 1);
    return counts;
  }

  async talkers(): Promise<Set<number>> {
    await this.settle();
    const first = Math.max(0, this.watch.dropped());
    const all = this.watch.since(0);
    await this.#learnIfUnknown(all, first);
    const ports = new Set<number>();
    all.forEach((command, i) => {
      const port = this.#portOf(command, first + i);
      if (port !== undefined) ports.add(port);
    });
    return ports;
  }

  async remotes(): Promise<{ port: number; address: string }[]> {
    const out = new Map<string, { port: number; address: string }>();
    for (const { port, connections } of await this.#connections()) {
      for (const c of connections) {
        const address = `${c.remoteAddress.includes(":") ? `[${c.remoteAddress}]` : c.remoteAddress}:${c.remotePort}`;
        if (address !== this.redisEndpoint && !out.has(address))
          out.set(address, { port, address });
      }
    }
    return [...out.values()];
  }

  async #connections() {
    const live = this.instances().filter((i) => i.pid !== undefined);
    // One look-up per instance: its connections are those of its process and descendants.
    const found = await Promise.all(
      live.map((i) => connectionsOf([i.pid as number]).catch(() => [])),
    );
    return found.map((connections, n) => ({ port: live[n]?.port as number, connections }));
  }

  async learn(): Promise<void> {
    const live = this.instances().filter((i) => i.pid !== undefined);
    // One look-up per instance: its connections are those of its process and descendants.
    const found = await Promise.all(
      live.map((i) => connectionsOf([i.pid as number]).catch(() => [])),
    );
    found.forEach((connections, n) => {
      const port = live[n]?.port as number;
      // An instance found with no connection at all is a look-up that failed, not news.
      if (connections.length === 0) return;
      // Its connections as they are now: a closed one's port may already be someone else's.
      for (const [address, owner] of this.#owners) if (owner === port) this.#owners.delete(address);
      for (const c of connections) {
        if (`${c.remoteAddress}:${c.remotePort}` === this.redisEndpoint) this.#toRedis.add(port);
        const address = c.localAddress.includes(":") ? `[${c.localAddress}]` : c.localAddress;
        this.#owners.set(`${address}:${c.localPort}`, port);
      }
    });
  }

  async close(): Promise<void> {
    await this.watch.close();
  }

  async #touchesOf(commands: readonly SeenCommand[], first: number): Promise<KeyTouch[]> {
    await this.#learnIfUnknown(commands, first);
    const out: KeyTouch[] = [];
    commands.forEach((command, i) => {
      const port = this.#portOf(command, first + i);
      const base = { command: command.name, db: command.db, at: command.at };
      const keys = keysOf(command);
      if (keys.length === 0 && /^FLUSH(DB|ALL)$/.test(command.name))
        out.push({ ...base, key: "*", ...(port === undefined ? {} : { port }) });
      const data = command.args.slice(1).join(" ");
      for (const key of keys)
        out.push({
          ...base,
          key,
          ...(port === undefined ? {} : { port }),
          ...(data ? { data } : {}),
        });
    });
    return out;
  }

  async #learnIfUnknown(commands: readonly SeenCommand[], first: number): Promise<void> {
    const unknown = () =>
      commands.some(
        (c, i) => !this.#decided.has(first + i) && !this.#owners.has(c.caller ?? c.client),
      );
    if (!unknown()) return;
    await this.learn();
    // A look-up can miss a connection that was being set up: when an instance was found with
    // no connection to this Redis, look again, briefly (a client of another lab stays unknown).
    const live = this.instances().filter((i) => i.pid !== undefined);
    if (!unknown() || live.every((i) => this.#toRedis.has(i.port))) return;
    await pollUntil(
      async () => {
        await this.learn();
        return !unknown();
      },
      { timeoutMs: 40, everyMs: 20 },
    );
  }

  /** The instance that sent the command: its connection's owner, else the request under way. */
  #portOf(command: SeenCommand, position: number): number | undefined {
    if (this.#decided.has(position)) return this.#decided.get(position);
    const port = this.#decide(command, position);
    this.#decided.set(position, port);
    return port;
  }

  #decide(command: SeenCommand, position: number): number | undefined {
    const owner = this.#owners.get(command.caller ?? command.client);
    if (owner !== undefined) return owner;
    // Where the OS tells, a connection no instance holds is someone else's (another lab on a
    // shared Redis): it is not guessed from the request under way.
    if (this.#osTells) return undefined;
    return this.#windows.find((w) => position >= w.from && position < w.to)?.port;
  }
}

/** "host:port" of a Redis URL, as a connection's remote end reads. */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname === "localhost" ? "127.0.0.1" : u.hostname;
    return `${host}:${u.port || "6379"}`;
  } catch {
    return "";
  }
}
