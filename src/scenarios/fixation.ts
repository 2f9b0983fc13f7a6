import type { ScenarioClient } from "../client/client.js";
import { sessionIdCandidates } from "../client/cookies.js";
import type { Observation } from "../model/results.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { loggedInAs } from "./logout.js";
import { gradeFixation } from "./race-grading.js";

/**
 * The session ids a Cookie header may carry, each cookie's candidates together; only of the
 * cookies named in `names` when given (the session cookie, not a CSRF token that stays put).
 */
export function idsOf(header: string | undefined, names: readonly string[] = []): Set<string> {
  const ids = new Set<string>();
  for (const pair of (header ?? "").split(/;\s*/)) {
    const at = pair.indexOf("=");
    if (at < 0 || (names.length > 0 && !names.includes(pair.slice(0, at).trim()))) continue;
    for (const id of sessionIdCandidates(pair.slice(at + 1))) ids.add(id);
  }
  return ids;
}

async function whoami(client: ScenarioClient) {
  const { body, ...o } = await client.page("/whoami", []);
  return { ...o, user: loggedInAs(body) };
}

/**
 * A visitor holds a session before logging in (an attacker could have planted its id); after
 * /login/<user> the id must be another, and the planted one must not be logged in.
 */
export async function fixation(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const user = `ada-${ctx.token().slice(3, 9)}`;
  const a = ctx.client("A");
  const set = await ctx.set(a, ctx.token());
  const before = a.cookieHeader();
  const { body, ...login } = await a.page(`/login/${user}`, []);
  const after = a.cookieHeader();
  const me = await whoami(a);
  if (me.user !== user) {
    return {
      status: "fail",
      summary: `a login is not remembered: /whoami right after /login/${user} shows ${me.user || "nobody"}`,
      causeId: "value-not-kept",
      cause: "/login/<user> does not keep the user in the session, or /whoami does not show it",
      hint: 'Store the user in the session at /login/<user>; /whoami shows "Logged in as <user>".',
      observations: [set, { ...login, shows: loggedInAs(body) }, { ...me, shows: me.user }],
    };
  }
  // The session cookie is the one the first set sent (a new visitor's).
  const was = idsOf(before, set.setCookie);
  const sameId = [...idsOf(after, set.setCookie)].some((id) => was.has(id));
  const attacker = ctx.client("X");
  if (before) attacker.plant(before);
  const planted = [];
  for (let i = 0; i < ctx.reads; i++) planted.push(await whoami(attacker));
  const observations: Observation[] = [
    set,
    { ...login, shows: loggedInAs(body) },
    ...planted.map(({ user: seen, ...o }) => ({ ...o, shows: seen })),
  ];
  return { ...gradeFixation({ user, sameId, planted }), observations };
}
