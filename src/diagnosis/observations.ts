/**
 * What the lab saw the instances do in Redis and with cookies, as plain data: the input of the
 * diagnosis rules. Gathered by src/evidence/, never by the rules themselves.
 */

/** One key one command touched, in which database, sent by which instance (when known). */
export interface KeyTouch {
  readonly key: string;
  readonly db: number;
  /** Upper-case command name: "SET", "GET", "DEL" ... ("*" as key for FLUSHDB/FLUSHALL). */
  readonly command: string;
  /** When Redis ran it (ms, the server's clock). */
  readonly at: number;
  /** The instance that sent it, when the OS or the request under way told. */
  readonly port?: number;
  /** For a write: what it wrote after the key (cut), to tell which key holds a value. */
  readonly data?: string;
}

/** Whether a write wrote `value` (a session's data holds the values set in it). */
export const carries = (t: KeyTouch, value: string): boolean => t.data?.includes(value) ?? false;

const WRITES = new Set(["SET", "SETEX", "PSETEX", "SETNX", "HSET", "HMSET", "MSET", "GETSET"]);
const READS = new Set(["GET", "GETEX", "HGETALL", "HGET", "HMGET", "MGET", "GETDEL", "EXISTS"]);
const DELETES = new Set(["DEL", "UNLINK", "GETDEL", "FLUSHDB", "FLUSHALL"]);

export const isWrite = (t: KeyTouch): boolean => WRITES.has(t.command);
export const isRead = (t: KeyTouch): boolean => READS.has(t.command);
export const isDelete = (t: KeyTouch): boolean => DELETES.has(t.command);

/** A session cookie a browser would not keep or send back to "/", and why. */
export interface CookieTrouble {
  readonly line: string;
  readonly reason: string;
}

/** The visitor's cookie, replayed to one instance directly (not through the proxy). */
export interface Replay {
  readonly port: number;
  /** Whether the visitor held a session cookie to send at all. */
  readonly sentCookie: boolean;
  /** Whether the page showed the visitor's value. */
  readonly shows: boolean;
  /** The cookie it answered with a new value for, if any (re-issued or cleared). */
  readonly reissued?: string;
  /** What it sent Redis while it answered. */
  readonly touches: readonly KeyTouch[];
}

/** A new visitor's value set on one instance directly, watched past the answer. */
export interface FreshSet {
  readonly port: number;
  /** Keys written while the request was under way. */
  readonly inAnswer: readonly KeyTouch[];
  /** Keys written after the answer had arrived, and how long after. */
  readonly after: readonly KeyTouch[];
  readonly afterMs?: number;
  /** The written key's PTTL right after (-1: no expiry). */
  readonly pttlMs?: number;
}

/** Everything seen of a visitor whose value went missing on another instance. */
export interface SplitObservations {
  readonly redisLabel: string;
  readonly labDb: number;
  /** The instance that stored the value, and what it wrote meanwhile. */
  readonly setter: { readonly port: number | null; readonly touches: readonly KeyTouch[] };
  /** Whether the set's answer carried no Set-Cookie at all (and the visitor holds none). */
  readonly noCookie: boolean;
  readonly cookieTrouble?: CookieTrouble;
  /** The session cookie names each instance gives a fresh visitor. */
  readonly cookieNames: readonly {
    readonly port: number | null;
    readonly names: readonly string[];
  }[];
  /** The cookie replayed to every instance. */
  readonly replays: readonly Replay[];
  /** How many keys each instance wrote to the lab's Redis during the whole check. */
  readonly writes: readonly { readonly port: number; readonly count: number }[];
  /** Below this a session's lifetime is too short (a minute, or half what the exercise asks). */
  readonly shortTtlMs: number;
  /** A new visitor's value set on each instance directly. */
  readonly fresh: readonly FreshSet[];
  /** Folders under the app's folder where files were written during the check. */
  readonly files: readonly { readonly dir: string; readonly port?: number }[];
}

/** Everything seen of a session that every instance shares, though maybe not in REDIS_URL's Redis. */
export interface StoreObservations {
  readonly redisLabel: string;
  readonly labDb: number;
  readonly setter: { readonly port: number | null; readonly touches: readonly KeyTouch[] };
  /** How many keys the instances wrote to the lab's Redis during the whole check. */
  readonly instanceWrites: number;
  /** A connection of an instance to another Redis (it answered PING). */
  readonly otherRedis?: { readonly port: number; readonly address: string };
  /** The session cookie carries the value itself. */
  readonly cookieCarriesValue: boolean;
  readonly files: readonly { readonly dir: string; readonly port?: number }[];
}

/** The id-like tail of a key: after its last ":" (or "_"), for "same session, other prefix". */
export function sessionIdOf(key: string): string {
  const cut = Math.max(key.lastIndexOf(":"), key.lastIndexOf("_"));
  return key.slice(cut + 1);
}
