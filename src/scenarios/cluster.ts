import { CannotRunError, type ScenarioClient } from "../client/client.js";
import type { Observation } from "../model/results.js";
import type { ClusterView } from "../redis/topology.js";
import {
  findCrossslot,
  findRedirect,
  gradeClusterLogout,
  gradeClusterSessions,
  type PrimaryKeys,
} from "./cluster-grading.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { loggedInAs } from "./logout.js";

/** Visitors per round; a round more while their keys are not yet on every primary. */
const ROUND = 10;
/** Visitors at most: a cluster-aware app has keys on all three primaries long before (all but 3·(2/3)^40). */
const MOST = 40;

type Page = Observation & { readonly body: string };

function requireCluster(ctx: ScenarioContext): ClusterView {
  if (!ctx.cluster)
    throw new CannotRunError(
      "this exercise needs the lab's own Redis Cluster, and there is none (--url?)",
      "no-redis",
    );
  return ctx.cluster;
}

/**
 * The pages that were not 200 (their bodies may quote Redis's error), then the last log lines
 * of the instances that answered them: a log is evidence only of a failure seen now.
 */
export function errorTexts(ctx: ScenarioContext, pages: readonly Page[]): string[] {
  const failed = pages.filter((p) => p.status !== 200);
  const where = new Set(failed.flatMap((p) => (p.port === null ? [] : [p.port])));
  const logs = [...where].flatMap((port) => ctx.logOf?.(port) ?? []);
  return [...failed.map((p) => p.body), ...logs];
}

export const withoutBody = ({ body: _body, ...o }: Page): Observation => o;
/** 5xx answers are this scenario's to grade (counted in its summary), not an app error of the runner's. */
export const below500 = (o: Observation) => o.status > 0 && o.status < 500;

async function primaryKeys(cluster: ClusterView, prefix: string): Promise<PrimaryKeys[]> {
  const primaries = await cluster.primaries();
  const keys = await cluster.keysByPrimary(prefix);
  return primaries.map((p) => ({
    address: p.address,
    slots: p.slots.map(([from, to]) => (from === to ? `${from}` : `${from}–${to}`)).join(", "),
    keys: keys.get(p.address)?.length ?? 0,
  }));
}

/**
 * Visitors each set a value and read it back through every instance, in rounds of ten, until
 * one is lost or their keys are on every primary (40 visitors at most).
 */
export async function clusterSessions(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  const cluster = requireCluster(ctx);
  const prefix = ctx.sessionPrefix ?? "";
  const readsEach = Math.max(2, ctx.instances.length);
  const lost: { port: number | null; status: number }[][] = [];
  const pages: Page[] = [];
  let shown: Page[] | undefined;
  let visitors = 0;
  let primaries: PrimaryKeys[] = [];
  while (visitors < MOST) {
    for (let i = 0; i < ROUND; i++) {
      visitors++;
      const client = ctx.client(`V${visitors}`);
      const value = ctx.token();
      const visit: Page[] = [await client.page(`/session/set/${value}`, [value])];
      for (let r = 0; r < readsEach; r++) visit.push(await client.page("/", [value]));
      pages.push(...visit);
      const missing = visit.filter((p) => p.status !== 200 || p.shows !== value);
      if (missing.length > 0) {
        lost.push(missing.map((p) => ({ port: p.port, status: p.status })));
        shown ??= visit;
      }
    }
    primaries = await primaryKeys(cluster, prefix);
    if (lost.length > 0 || primaries.every((p) => p.keys > 0)) break;
  }
  const verdict = gradeClusterSessions({
    visitors,
    lost,
    redirect: findRedirect(errorTexts(ctx, pages)),
    primaries,
  });
  return {
    ...verdict,
    observations: (shown ?? pages.slice(0, readsEach + 1)).map(withoutBody).filter(below500),
  };
}

async function visit(client: ScenarioClient, path: string) {
  const page = await client.page(path, []);
  return { ...page, user: loggedInAs(page.body) };
}

/** Two browsers of one user and a third user log in; one browser logs out everywhere. */
export async function clusterLogout(ctx: ScenarioContext): Promise<ScenarioOutcome> {
  requireCluster(ctx);
  const user = `ada-${ctx.token().slice(3, 9)}`;
  const other = `bob-${ctx.token().slice(3, 9)}`;
  const [a, b, c] = [ctx.client("A"), ctx.client("B"), ctx.client("C")];
  const logins = [
    await visit(a, `/login/${user}`),
    await visit(b, `/login/${user}`),
    await visit(c, `/login/${other}`),
  ];
  const out = await visit(a, "/logout-everywhere");
  const sameUser = [];
  const otherUser = [];
  for (let i = 0; i < ctx.reads; i++) sameUser.push(await visit(b, "/whoami"));
  for (let i = 0; i < ctx.reads; i++) otherUser.push(await visit(c, "/whoami"));
  const pages = [...logins, out, ...sameUser, ...otherUser];
  const texts = errorTexts(ctx, pages);
  const verdict = gradeClusterLogout({
    user,
    other,
    status: out.status,
    redirect: findRedirect(texts),
    crossslot: findCrossslot(texts),
    sameUser,
    otherUser,
  });
  const observations = pages.map(({ body: _body, user: shows, ...o }) => ({ ...o, shows }));
  return {
    ...verdict,
    // Unless MOVED or CROSSSLOT explains them, 5xx answers stay for the runner: an app error.
    observations:
      verdict.causeId === "crossslot" || verdict.causeId === "not-cluster-aware"
        ? observations.filter(below500)
        : observations,
  };
}
