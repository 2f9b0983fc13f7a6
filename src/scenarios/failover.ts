import { CannotRunError, type ScenarioClient } from "../client/client.js";
import { FAILOVER_HINT } from "../diagnosis/hints.js";
import type { Experiment, Observation, Verdict } from "../model/results.js";
import type { FailoverControl } from "../redis/topology.js";
import type { ScenarioContext, ScenarioOutcome } from "./context.js";
import { ports, readAll } from "./reads.js";

/** How long the sentinels may take to name a new primary. */
const SWITCH_MS = 10_000;
/** How long after the sentinels named it the app must be writing again. */
const FOLLOW_MS = 5000;
/**
 * How long the hung primary stops answering: past the sentinels' 1 s down-after and the
 * bound to follow, so an app that waits for it to come back does not pass.
 */
const HANG_MS = 10_000;
/** One probe request may take this long before it counts as failed. */
const PROBE_TIMEOUT_MS = 1500;
/** Successful writes in a row that say the app is back. */
const STREAK = 3;

const STALE =
  "the app still talks to the address it started with: after a failover that Redis is a read-only replica (READONLY)";
const HINT = FAILOVER_HINT;

/** One write a visitor made while the primary changed: when (ms after the trigger), and whether it worked. */
export interface SwitchProbe {
  readonly atMs: number;
  readonly ok: boolean;
  readonly status: number;
}

/** The figures of a switch, for the terminal and --json. */
export interface SwitchFigures {
  readonly requests: number;
  readonly failed: number;
  /** From the first failed request to the first of the streak that ended it (0: none failed). */
  readonly failingMs: number;
  /** When the sentinels named the new primary, ms after the trigger. */
  readonly switchedMs: number | undefined;
  /** When the app was writing again for good, ms after the trigger (undefined: not in time). */
  readonly recoveredMs: number | undefined;
}

/** Figures from the probes: the recovery is the first of a streak of successes after the switch. */
export function switchFigures(
  probes: readonly SwitchProbe[],
  switchedMs: number | undefined,
): SwitchFigures {
  const failed = probes.filter((p) => !p.ok);
  // Back for good: the requests after the last failure, one of them made after the switch.
  const last = probes.findLastIndex((p) => !p.ok);
  const after = probes.slice(last + 1);
  const recoveredMs =
    switchedMs !== undefined && after.some((p) => p.atMs >= switchedMs)
      ? last < 0
        ? 0
        : after[0]?.atMs
      : undefined;
  const firstFail = failed[0]?.atMs;
  const end = recoveredMs ?? probes.at(-1)?.atMs ?? 0;
  return {
    requests: probes.length,
    failed: failed.length,
    failingMs: firstFail === undefined ? 0 : Math.max(0, end - firstFail),
    switchedMs,
    recoveredMs,
  };
}

/** One line of figures, for a summary or an evidence line. */
export function describeFigures(f: SwitchFigures): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const failed = `${f.failed} of ${f.requests} writes failed during the switch${f.failed > 0 ? `, for ${s(f.failingMs)}` : ""}`;
  const switched =
    f.switchedMs === undefined
      ? ""
      : `; the sentinels named the new primary after ${s(f.switchedMs)}`;
  const back =
    f.recoveredMs === undefined || f.failed === 0
      ? ""
      : `, the site wrote again after ${s(f.recoveredMs)}`;
  return failed + switched + back;
}

/** Grades one switch of primary: sessions kept, writes accepted after it, the app following in time. */
export function gradeFailover(facts: {
  readonly kind: "failover" | "hang";
  readonly figures: SwitchFigures;
  /** Per instance: did the session set before the switch show after it? */
  readonly readsAfter: readonly { port: number; saw: boolean }[];
  /** A read after each write made after the switch (each must show the value just written). */
  readonly writesAfter: readonly Observation[];
  readonly expected: readonly string[];
}): Verdict {
  const { figures } = facts;
  const evidence = [describeFigures(figures)];
  if (figures.switchedMs === undefined) {
    return {
      status: "error",
      summary: `the lab's sentinels did not name a new primary within ${SWITCH_MS / 1000} s`,
      causeId: "no-redis",
      cause: "the lab's own Sentinel set-up did not fail over",
      hint: "Run the check again; DEBUG=session-lab shows more.",
      evidence,
    };
  }
  const lost = facts.readsAfter.filter((r) => !r.saw).map((r) => r.port);
  const badWrite = facts.writesAfter.find(
    (o, i) => o.status !== 200 || o.shows !== facts.expected[i],
  );
  const stale = facts.kind === "hang" ? `${STALE}, or the hung primary` : STALE;
  const hint = HINT;
  if (badWrite || figures.recoveredMs === undefined) {
    const what = badWrite
      ? `after the ${facts.kind === "hang" ? "hung primary was failed over" : "failover"}, ${
          badWrite.status === 200
            ? `a value written was not there on the next read${badWrite.port ? ` (:${badWrite.port})` : ""}: its save failed`
            : `a write answered ${badWrite.status || "nothing"}${badWrite.port ? ` on :${badWrite.port}` : ""}`
        }`
      : `the site did not write again within ${FOLLOW_MS / 1000} s of the sentinels naming the new primary`;
    return {
      status: "fail",
      summary: what,
      causeId: facts.kind === "hang" ? "no-failover-follow" : "readonly-after-failover",
      cause: stale,
      hint,
      evidence,
    };
  }
  if (lost.length > 0) {
    return {
      status: "fail",
      summary: `a session set before the switch was missing after it on ${ports(lost)}`,
      causeId: "sessions-lost-in-failover",
      cause: "sessions written before the switch are not on the new primary",
      hint: "Keep the sessions in the one Redis the sentinels watch (REDIS_MASTER_NAME), not in a local store or another Redis.",
      evidence,
    };
  }
  return { status: "pass", summary: describeFigures(figures), evidence };
}

async function probe(
  client: ScenarioClient,
  ctx: ScenarioContext,
  began: number,
): Promise<SwitchProbe> {
  const value = ctx.token();
  try {
    // express-session sends the page before its save fails: only a read tells a write that stuck.
    const set = await client.get(`/session/set/${value}`, [value]);
    const seen = set.status === 200 ? await client.get("/", [value]) : set;
    return {
      atMs: Math.round(performance.now() - began),
      ok: seen.status === 200 && seen.shows === value,
      status: seen.status,
    };
  } catch (error) {
    if (!(error instanceof CannotRunError) || /interrupted/.test(error.message)) throw error;
    return { atMs: Math.round(performance.now() - began), ok: false, status: 0 };
  }
}

async function switchPrimary(
  ctx: ScenarioContext,
  kind: "failover" | "hang",
): Promise<ScenarioOutcome> {
  const control: FailoverControl | undefined = ctx.failover;
  if (!control) {
    throw new CannotRunError(
      "this exercise fails the lab's own Sentinel set-up over, and there is none (--url?)",
      "no-redis",
    );
  }
  // The previous switch's old primary must be back as a replica the sentinels trust.
  if (!(await control.waitForReplica(SWITCH_MS)))
    throw new CannotRunError(
      "the lab's Sentinel set-up has no replica in sync to fail over to",
      "no-redis",
    );
  const old = await control.primary();
  const a = ctx.client("A", PROBE_TIMEOUT_MS);
  const b = ctx.client("B", PROBE_TIMEOUT_MS);
  const value = ctx.token();
  const set = await a.get(`/session/set/${value}`, [value]);
  const stuck = await a.get("/", [value]);
  const observations: Observation[] = [set, stuck];
  if (stuck.shows !== value) {
    return {
      status: "fail",
      summary: `before the switch, a value written was not there on the next read${stuck.port ? ` (:${stuck.port})` : ""}: its save failed`,
      causeId: "readonly-after-failover",
      cause: STALE,
      hint: HINT,
      observations: observations.filter((o) => o.status < 500),
    };
  }

  const began = performance.now();
  const probes: SwitchProbe[] = [];
  let switchedMs: number | undefined;
  let done = false;
  const probing = (async () => {
    while (!done) {
      const p = await probe(b, ctx, began);
      probes.push(p);
      const tail = probes.slice(-STREAK);
      if (
        switchedMs !== undefined &&
        tail.length === STREAK &&
        tail.every((t) => t.ok) &&
        p.atMs >= switchedMs
      )
        break;
      if (switchedMs !== undefined && p.atMs > switchedMs + FOLLOW_MS) break;
      await ctx.wait(p.ok ? 100 : 50);
    }
  })();
  try {
    if (kind === "failover") await control.failover();
    else await control.hangPrimary(HANG_MS);
    const now = old ? await control.waitForNewPrimary(old, SWITCH_MS) : undefined;
    if (now) switchedMs = Math.round(performance.now() - began);
    // A live old primary would take writes for ~10 s more (split brain) before the sentinels
    // demote it; the lab demotes it at once, as they will. A hung one stays hung past the bound.
    if (old && now && kind === "failover") await control.demote(old, now);
  } finally {
    if (switchedMs === undefined) done = true;
    await probing;
  }
  const figures = switchFigures(probes, switchedMs);

  const reads = await readAll(a, ctx.reads, [value]).catch(() => [] as Observation[]);
  const expected = Array.from({ length: Math.max(2, ctx.instances.length) }, () => ctx.token());
  const writesAfter: Observation[] = [];
  for (const v of expected) {
    const failed = { ...set, status: 0, shows: "" };
    const written = await a.get(`/session/set/${v}`, [v]).catch(() => failed);
    // The page shows the value before the save; the next read (another instance) says if it stuck.
    writesAfter.push(written.status === 200 ? await a.get("/", [v]).catch(() => failed) : written);
  }
  const served = new Set(reads.map((r) => r.port).filter((p): p is number => p !== null));
  const readsAfter = [...served]
    .sort((x, y) => x - y)
    .map((port) => ({
      port,
      saw: reads.filter((r) => r.port === port).every((r) => r.shows === value),
    }));
  const verdict = gradeFailover({ kind, figures, readsAfter, writesAfter, expected });
  const experiment: Experiment = {
    name: kind === "failover" ? "sentinel-failover" : "hung-primary",
    tried:
      kind === "failover"
        ? "SENTINEL FAILOVER while a visitor kept writing"
        : `paused the primary (CLIENT PAUSE ${HANG_MS} ALL) while a visitor kept writing`,
    saw: describeFigures(figures),
    data: { ...figures, oldPrimary: old },
  };
  // Failed requests are counted in the figures; as 5xx observations the runner would take them for an app error.
  observations.push(...reads, ...writesAfter);
  return {
    ...verdict,
    instances: readsAfter,
    experiments: [experiment],
    observations: observations.filter((o) => o.status < 500 && o.status > 0),
  };
}

export const sentinelFailover = (ctx: ScenarioContext) => switchPrimary(ctx, "failover");
export const primaryHang = (ctx: ScenarioContext) => switchPrimary(ctx, "hang");
