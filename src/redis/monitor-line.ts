/** A command Redis ran, as its MONITOR showed it. */
export interface SeenCommand {
  /** When Redis ran it, in milliseconds since the epoch by the server's clock (0 if unreadable). */
  readonly at: number;
  /**
   * The client's database as MONITOR prints it, after the command ran: a SELECT shows the
   * database it chose, a command inside a script the script's current one. -1 if unreadable.
   */
  readonly db: number;
  /**
   * The client as Redis names it: "127.0.0.1:54321", "[::1]:54321" (an IPv4-mapped address
   * as plain IPv4), "unix:<the server's socket path>" (the same for every client of that
   * socket), or "lua" for a command a script ran (see `caller`).
   */
  readonly client: string;
  /** For a command a script ran: the client that ran the script (EVAL, EVALSHA, FCALL...). */
  readonly caller?: string;
  /** Upper-case: "SET". */
  readonly name: string;
  /** The arguments after the name: at most MAX_ARGS, each cut to MAX_ARG_CHARS. */
  readonly args: readonly string[];
}

export const MAX_ARGS = 8;
export const MAX_ARG_CHARS = 200;
/** What a watch sends (ECHO <prefix><watch>:<n>) to learn that MONITOR has caught up. */
export const MARK_PREFIX = "session-lab:mark:";

/** Commands that run a script, whose own commands MONITOR shows next, from client "lua". */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set([
  "EVAL",
  "EVALSHA",
  "EVAL_RO",
  "EVALSHA_RO",
  "FCALL",
  "FCALL_RO",
]);

/**
 * Turns what ioredis's "monitor" event gives (time "1712345678.123456", the arguments, the
 * client, the database) into a SeenCommand; undefined when it carries no command. Total:
 * the text comes from a server.
 */
export function decodeMonitorEvent(
  time: unknown,
  args: unknown,
  source: unknown,
  database: unknown,
): SeenCommand | undefined {
  if (!Array.isArray(args) || typeof args[0] !== "string" || args[0] === "") return undefined;
  const seconds = Number(time);
  const db = Number(database);
  return {
    at: Number.isFinite(seconds) ? seconds * 1000 : 0,
    db: Number.isInteger(db) && db >= 0 ? db : -1,
    client: normaliseClient(typeof source === "string" ? source : ""),
    name: unescapeArg(args[0]).toUpperCase(),
    args: args
      .slice(1, MAX_ARGS + 1)
      .map((arg) => cutArg(unescapeArg(typeof arg === "string" ? arg : String(arg)))),
  };
}

/** How Redis names a TCP client at this address: "127.0.0.1:54321", "[::1]:54321". */
export function clientName(address: string, port: number): string {
  const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
  return plain.includes(":") ? `[${plain}]:${port}` : `${plain}:${port}`;
}

/** "[::ffff:127.0.0.1]:5000" → "127.0.0.1:5000", as Node and lsof write such a peer. */
function normaliseClient(source: string): string {
  return source.replace(/^\[::ffff:(\d+\.\d+\.\d+\.\d+)\]:/i, "$1:");
}

/**
 * MONITOR quotes every argument the way redis-cli prints strings (\\ \" \n \r \t \a \b, and
 * \xHH for every byte that is not printable ASCII, so UTF-8 text arrives as bytes); ioredis
 * splits the quoted arguments and undoes only \". This undoes the rest, decoding the bytes
 * as UTF-8. Only the first MAX_ARG_CHARS characters are kept, so a long value is not
 * decoded whole: a character takes at most 4 bytes of 4 characters ("\xHH") each.
 */
export function unescapeArg(text: string): string {
  const quoted = text.slice(0, MAX_ARG_CHARS * 16);
  if (!quoted.includes("\\")) return quoted;
  const bytes: number[] = [];
  for (let i = 0; i < quoted.length; i++) {
    const c = quoted[i] as string;
    if (c !== "\\" || i + 1 >= quoted.length) {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const next = quoted[i + 1] as string;
    const hex = /^x[0-9a-fA-F]{2}$/.test(quoted.slice(i + 1, i + 4))
      ? quoted.slice(i + 2, i + 4)
      : "";
    if (hex) {
      bytes.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push((ESCAPES[next] ?? next).charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  a: "\x07",
  b: "\b",
};

/** The first MAX_ARG_CHARS characters, never half of a surrogate pair. */
export function cutArg(text: string): string {
  if (text.length <= MAX_ARG_CHARS) return text;
  const cut = text.slice(0, MAX_ARG_CHARS);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

const FIRST_KEY = new Set([
  ...["GET", "SET", "SETEX", "PSETEX", "SETNX", "GETEX", "GETDEL", "TTL", "PTTL", "TYPE"],
  ...["EXPIRE", "PEXPIRE", "PEXPIREAT", "EXPIREAT"],
  ...["HGET", "HSET", "HMSET", "HGETALL", "HDEL", "SADD", "SREM", "SMEMBERS", "ZADD"],
]);
const ALL_KEYS = new Set(["DEL", "UNLINK", "EXISTS", "MGET", "TOUCH"]);
const EVERY_OTHER_KEY = new Set(["MSET", "MSETNX"]);

/**
 * The keys a command names, for the commands a session store uses; none for SCAN and KEYS
 * (their arguments are patterns) and for commands not listed. As many as the recorded
 * arguments hold (at most MAX_ARGS), each as cut.
 */
export function keysOf(command: Pick<SeenCommand, "name" | "args">): readonly string[] {
  const { name, args } = command;
  if (FIRST_KEY.has(name)) return args.slice(0, 1);
  if (ALL_KEYS.has(name)) return args;
  if (EVERY_OTHER_KEY.has(name)) return args.filter((_, i) => i % 2 === 0);
  return [];
}

/**
 * Why MONITOR could not run, in a short phrase, from the error ioredis gave (`where` is the
 * masked URL).
 */
export function refusalOf(message: string, where: string): string {
  if (/\bNOPERM\b/.test(message)) return "the Redis user may not run MONITOR (NOPERM)";
  if (/unknown command/i.test(message))
    return "this Redis has no MONITOR command (renamed or disabled)";
  if (/WRONGPASS|NOAUTH|invalid (username|password)/i.test(message))
    return `Redis at ${where} refused the user or password (${message.split(" ")[0]})`;
  if (/timed out/i.test(message)) return `Redis at ${where} did not answer MONITOR in time`;
  if (/^(connect )?E[A-Z]+\b|Connection is closed|connection closed/i.test(message))
    return `Redis at ${where} is unreachable (${message})`;
  return `MONITOR failed on Redis at ${where} (${message})`;
}

/**
 * The last `limit` commands, and how many came before them. Positions count every command
 * ever pushed, so a cursor stays valid after the oldest are dropped.
 */
export class CommandLog {
  #ring: SeenCommand[] = [];
  #total = 0;

  constructor(readonly limit: number) {}

  get total(): number {
    return this.#total;
  }

  get dropped(): number {
    return Math.max(0, this.#total - this.limit);
  }

  push(command: SeenCommand): void {
    this.#ring[this.#total % this.limit] = command;
    this.#total++;
  }

  /** The commands kept from position `cursor` on, oldest first. */
  since(cursor: number): SeenCommand[] {
    const out: SeenCommand[] = [];
    for (let i = Math.max(cursor, this.dropped); i < this.#total; i++)
      out.push(this.#ring[i % this.limit] as SeenCommand);
    return out;
  }
}
