import type { ScenarioClient } from "../client/client.js";
import { DESTROY_EACH_HINT, LOGIN_KEEPS_USER_HINT, LOGOUT_ONE_HINT } from "../diagnosis/hints.js";
import type { Observation, Verdict } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, portsOf } from "./reads.js";

/** Who a /whoami page says is logged in ("" for nobody), from its text. */
export function loggedInAs(body: string): string {
  const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
  return /Logged in as ([^\s.<]+)/.exec(text)?.[1] ?? "";
}

type Seen = Observation & { readonly user: string };

async function whoami(client: ScenarioClient, times: number): Promise<Seen[]> {
  const out: Seen[] = [];
  for (let i = 0; i < times; i++) {
    const { body, ...o } = await client.page("/whoami", []);
    out.push({ ...o, user: loggedInAs(body) });
  }
  return out;
}

async function visit(client: ScenarioClient, path: string): Promise<Seen> {
  const { body, ...o } = await client.page(path, []);
  return { ...o, user: loggedInAs(body) };
}

const strip = ({ user: _user, ...o }: Seen): Observation => ({ ...o, shows: _user });

/** Grades "log out everywhere": B (same user as A) anonymous everywhere, C untouched, no key left. */
export function gradeLogoutEverywhere(facts: {
  user: string;
  other: string;
  /** B's /whoami reads after A logged out everywhere. */
  sameUser: readonly { port: number | null; user: string }[];
  /** C's reads: another user. */
  otherUser: readonly { port: number | null; user: string }[];
  /** Session keys of the user still in Redis. */
  keysLeft: readonly string[];
}): Verdict {
  const still = facts.sameUser.filter((r) => r.user === facts.user);
  if (still.length > 0) {
    return {
      status: "fail",
      summary: `after /logout-everywhere, the user's other browser is still logged in as ${facts.user} on ${ports(portsOf(still))}`,
      causeId: "logout-not-everywhere",
      cause: "/logout-everywhere ends only the session of the browser that asked",
      hint: "Keep the user's session ids in a Redis set (SADD at login) and destroy every one of them at /logout-everywhere.",
    };
  }
  const lostOther = facts.otherUser.filter((r) => r.user !== facts.other);
  if (lostOther.length > 0) {
    return {
      status: "fail",
      summary: `another user (${facts.other}) was logged out too, on ${ports(portsOf(lostOther))}`,
      causeId: "logout-too-wide",
      cause: "/logout-everywhere ends other users' sessions too",
      hint: "Destroy only the sessions in this user's set, not every session in the store.",
    };
  }
  if (facts.keysLeft.length > 0) {
    return {
      status: "fail",
      summary: `every browser is logged out, but ${facts.keysLeft.length} session key${facts.keysLeft.length === 1 ? "" : "s"} of ${facts.user} stayed in Redis`,
      causeId: "session-left-in-redis",
      cause: "the sessions are not destroyed, only forgotten",
      hint: DESTROY_EACH_HINT,
      evidence: facts.keysLeft.map((k) => `still in Redis: ${k}`),
    };
  }
  return {
    status: "pass",
    summary: `both browsers of ${facts.user} are logged out on every instance; ${facts.other} is still logged in`,
  };
}

/** Grades plain /logout: it ends one session, the user's other browser stays logged in. */
export function gradeLogoutOne(facts: {
  user: string;
  loggedOut: readonly { port: number | null; user: string }[];
  other: readonly { port: number | null; user: string }[];
}): Verdict {
  const still = facts.loggedOut.filter((r) => r.user === facts.user);
  if (still.length > 0) {
    return {
      status: "fail",
      summary: `after /logout, the browser is still logged in on ${ports(portsOf(still))}`,
      causeId: "logout-not-ending",
      cause: "/logout does not end the session",
      hint: LOGOUT_ONE_HINT,
    };
  }
  const lost = facts.other.filter((r) => r.user !== facts.user);
  if (lost.length > 0) {
    return {
      status: "fail",
      summary: `/logout in one browser logged ${facts.user}'s other browser out too`,
      causeId: "logout-ends-all",
      cause: "plain /logout ends every session of the user, not only this browser's",
      hint: "Keep /logout as it was: destroy this session only, and SREM it from the user's set.",
    };
  }
  return {
    status: "pass",
    summary: `/logout ended one session; ${facts.user}'s other browser stayed logged in`,
  };
}

export async function logoutEverywhere(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const user = `ada-${ctx.token().slice(3, 9)}`;
  const other = `bob-${ctx.token().slice(3, 9)}`;
  const [a, b, c] = [ctx.client("A"), ctx.client("B"), ctx.client("C")];
  const logins = [
    await visit(a, `/login/${user}`),
    await visit(b, `/login/${user}`),
    await visit(c, `/login/${other}`),
  ];
  const before = [...(await whoami(b, 1)), ...(await whoami(c, 1))];
  if (before[0]?.user !== user || before[1]?.user !== other) {
    return {
      status: "fail",
      summary:
        "a login is not remembered: /whoami right after /login/<user> does not show the user",
      causeId: "value-not-kept",
      cause: "/login/<user> does not keep the user in the session, or /whoami does not show it",
      hint: LOGIN_KEEPS_USER_HINT,
      observations: [...logins, ...before].map(strip),
    };
  }
  const out = await visit(a, "/logout-everywhere");
  const sameUser = await whoami(b, ctx.reads);
  const otherUser = await whoami(c, ctx.reads);
  const keysLeft = ctx.findSession
    ? (
        await Promise.all([a, b].map((client) => ctx.findSession?.(client).catch(() => undefined)))
      ).flatMap((f) => (f ? [f.key] : []))
    : [];
  return {
    ...gradeLogoutEverywhere({ user, other, sameUser, otherUser, keysLeft }),
    observations: [...logins, ...before, out, ...sameUser, ...otherUser].map(strip),
  };
}

export async function logoutOne(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const user = `eve-${ctx.token().slice(3, 9)}`;
  const [d, e] = [ctx.client("D"), ctx.client("E")];
  const logins = [await visit(d, `/login/${user}`), await visit(e, `/login/${user}`)];
  const out = await visit(d, "/logout");
  const loggedOut = await whoami(d, ctx.reads);
  const other = await whoami(e, ctx.reads);
  return {
    ...gradeLogoutOne({ user, loggedOut, other }),
    observations: [...logins, out, ...loggedOut, ...other].map(strip),
  };
}
