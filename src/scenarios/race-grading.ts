import type { Verdict } from "../model/results.js";
import { ports, portsOf } from "./reads.js";

/** How the lab made two requests of one visitor overlap, and whether it managed to. */
export interface RaceTiming {
  /** The instance seen reading the session for the slow request (undefined: never seen). */
  readonly slowPort: number | undefined;
  /** Whether every other request had its answer before the slow one answered. */
  readonly othersFirst: boolean;
  /** The slow request's ?delay, in ms. */
  readonly delayMs: number;
}

/** One write of the visitor's session key, seen in Redis. */
export interface SeenWrite {
  readonly port: number | undefined;
  /** Milliseconds after the moment the scenario measures from (the slow read, the logout). */
  readonly afterMs: number;
}

const on = (port: number | undefined) => (port === undefined ? "" : ` on :${port}`);
const by = (port: number | undefined) => (port === undefined ? "" : `, written by :${port}`);

/** Why the race was not provoked, when it was not; a grade can then not be trusted. */
function notProvoked(timing: RaceTiming, what: string): Verdict | undefined {
  if (timing.slowPort !== undefined && timing.othersFirst) return undefined;
  return {
    status: "error",
    summary:
      timing.slowPort === undefined
        ? `the lab never saw the slow request (?delay=${timing.delayMs}) read the session in Redis, so it could not make ${what} overlap`
        : `the slow request (?delay=${timing.delayMs}${on(timing.slowPort)}) answered before ${what} had finished, so nothing overlapped`,
    causeId: "race-not-provoked",
    cause: "the lab could not make two requests of one visitor run at the same time",
    hint: "Keep the ?delay=<ms> middleware of the starter (it waits after the session is loaded); on a very busy machine, run the check again.",
  };
}

/**
 * Grades "K additions at the same time": every item added must be in the cart afterwards,
 * on every read. `held` is what each read of /cart showed.
 */
export function gradeLostUpdate(facts: {
  readonly items: readonly string[];
  readonly reads: readonly { port: number | null; held: readonly string[] }[];
  readonly timing: RaceTiming;
  /** Writes of the session key while the additions ran, from the slow read on. */
  readonly writes: readonly SeenWrite[];
}): Verdict {
  const { items, reads, timing } = facts;
  const missing = reads.filter((r) => items.some((i) => !r.held.includes(i)));
  const last = missing[0] ?? reads.at(-1);
  if (missing.length > 0 && last) {
    const lost = items.filter((i) => !last.held.includes(i));
    const held = items.filter((i) => last.held.includes(i));
    const lastWrite = facts.writes.at(-1);
    return {
      status: "fail",
      summary: `${lost.length} of ${items.length} items added at the same time were lost: the cart holds ${held.length > 0 ? held.join(", ") : "nothing"}${last.port === null ? "" : ` (read on :${last.port})`}`,
      causeId: "lost-update",
      cause:
        "each addition reads the whole session, changes it and writes all of it back: the last write wins over the ones made meanwhile",
      hint: {
        node: "Keep the cart out of the session object: one SADD per addition on a key of its own per session (`<SESSION_PREFIX>cart:<session id>`), read with SMEMBERS; Redis applies each SADD whole, so none overwrites another.",
        python:
          "Keep the cart out of the session: one SADD per addition on a key of its own per session id, read with SMEMBERS; Redis applies each SADD whole, so none overwrites another.",
      },
      evidence: [
        `the slow addition (?delay=${timing.delayMs}) was under way${on(timing.slowPort)} while the other ${items.length - 1} were added`,
        ...(facts.writes.length > 0
          ? [
              `the session key was written ${facts.writes.length} time${facts.writes.length === 1 ? "" : "s"} meanwhile, by ${ports(portsOf(facts.writes.map((w) => ({ port: w.port ?? null }))))}; the last write${lastWrite?.port === undefined ? "" : ` (:${lastWrite.port})`} came ${Math.round(lastWrite?.afterMs ?? 0)} ms after the slow request read the session`,
            ]
          : []),
      ],
      confidence: "confirmed",
    };
  }
  return (
    notProvoked(timing, `the ${items.length - 1} other additions`) ?? {
      status: "pass",
      summary: `all ${items.length} items added at the same time are in the cart, on ${ports(portsOf(reads))}`,
    }
  );
}

/**
 * Grades "a slow request in flight, then logout": afterwards the session's key must not exist
 * and the old cookie must be anonymous everywhere.
 */
export function gradeLogoutUndone(facts: {
  readonly user: string;
  /** Whether the session's key exists after the slow request answered. */
  readonly keyBack: boolean;
  readonly key: string;
  /** Writes of the key after the logout deleted it. */
  readonly writesAfter: readonly SeenWrite[];
  /** Reads of /whoami with the cookie held before logout. */
  readonly oldCookie: readonly { port: number | null; user: string }[];
  readonly logoutPort: number | null;
  readonly timing: RaceTiming;
}): Verdict {
  const stillIn = facts.oldCookie.filter((r) => r.user === facts.user);
  if (facts.keyBack || stillIn.length > 0) {
    const write = facts.writesAfter[0];
    const back = write
      ? `the session key came back ${Math.round(write.afterMs)} ms after logout${by(write.port)}`
      : facts.keyBack
        ? "the session key is in Redis again after logout"
        : "the session key is gone";
    return {
      status: "fail",
      summary: `${back}; the old cookie is ${stillIn.length > 0 ? `logged in as ${facts.user} again on ${ports(portsOf(stillIn))}` : "anonymous"}`,
      causeId: "logout-undone",
      cause:
        "a request that loaded the session before /logout saved it when it ended, after the logout had deleted it",
      hint: {
        node: "Let logout win: at /logout, set a tombstone (`<SESSION_PREFIX>ended:<session id>`) before destroying the session, and give the store a set() that writes only where there is no tombstone, checked and written in one Lua script (redis.defineCommand).",
        python:
          "Let logout win: at logout, set a tombstone key for the session id before deleting the session, and save sessions only where there is no tombstone, checked and written in one Lua script.",
      },
      evidence: [
        `the slow request (?delay=${facts.timing.delayMs}) had read the session${on(facts.timing.slowPort)} before /logout${facts.logoutPort === null ? "" : ` (:${facts.logoutPort})`} deleted it`,
        ...facts.writesAfter.map(
          (w) =>
            `${facts.key} written ${Math.round(w.afterMs)} ms after logout${w.port === undefined ? "" : ` by :${w.port}`}`,
        ),
      ],
      confidence: "confirmed",
    };
  }
  return (
    notProvoked(facts.timing, "/logout") ?? {
      status: "pass",
      summary: `the session stayed ended: its key is gone and the old cookie is anonymous on ${ports(portsOf(facts.oldCookie))}`,
    }
  );
}

/**
 * Grades a login after a planted session id: the id must change, and the planted one must not
 * be logged in afterwards.
 */
export function gradeFixation(facts: {
  readonly user: string;
  /** Whether the session id the visitor sent before login is still the one it holds after. */
  readonly sameId: boolean;
  /** Reads of /whoami with the cookie held before login (the attacker's copy). */
  readonly planted: readonly { port: number | null; user: string }[];
}): Verdict {
  const riding = facts.planted.filter((r) => r.user === facts.user);
  if (facts.sameId) {
    return {
      status: "fail",
      summary: `the session id from before login is still the session after it: whoever planted it is logged in as ${facts.user}${riding.length > 0 ? ` on ${ports(portsOf(riding))}` : ""}`,
      causeId: "session-fixation",
      cause: "the login keeps the session id the visitor had before it (session fixation)",
      hint: {
        node: "Regenerate the session at login: `req.session.regenerate(callback)`, then set req.session.user in the callback; the old id is destroyed and a new cookie sent.",
        python:
          "Give the visitor a new session at login: copy what you keep, clear the session and let the store issue a new id (Flask-Session: session.clear() and a new sid), deleting the old key.",
      },
      confidence: "confirmed",
    };
  }
  if (riding.length > 0) {
    return {
      status: "fail",
      summary: `the login sent a new session id, but the old one is logged in as ${facts.user} too, on ${ports(portsOf(riding))}`,
      causeId: "old-session-accepted",
      cause: "the login copies the user into a new session but keeps the old one alive",
      hint: "Destroy the old session when you issue the new one (req.session.regenerate does both).",
      confidence: "confirmed",
    };
  }
  return {
    status: "pass",
    summary: `the login issued a new session id; the planted one is anonymous on ${ports(portsOf(facts.planted))}`,
  };
}
