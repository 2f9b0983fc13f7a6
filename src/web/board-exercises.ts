import type { RoomEvent, RoomVerdict } from "../model/room-event.js";

/** One attendee's way through one exercise: for the CSV after the workshop. */
export interface ExerciseRecord {
  readonly checks: number;
  readonly firstCheckAt: string;
  /** The first passing check, and how many checks of this exercise came before it. */
  readonly firstPassAt?: string;
  readonly checksBeforePass?: number;
  readonly lastAt: string;
  readonly verdict: RoomVerdict;
  /** The latest failing cause on this exercise (kept after a pass: what the attendee met). */
  readonly causeId?: string;
  readonly cause?: string;
}

export type ExerciseRecords = Readonly<Record<string, ExerciseRecord>>;

/** Exercises kept per attendee: the course has seven; names come from outside. */
export const EXERCISES_KEPT = 16;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The records after one more check (a small copy: constant work per event). */
export function withCheck(
  records: ExerciseRecords | undefined,
  event: Extract<RoomEvent, { type: "check" }>,
): ExerciseRecords {
  const id = event.exercise;
  if (id === "__proto__") return records ?? {};
  const before = records && Object.hasOwn(records, id) ? records[id] : undefined;
  if (!before && Object.keys(records ?? {}).length >= EXERCISES_KEPT) return records ?? {};
  const checks = (before?.checks ?? 0) + 1;
  const after: Mutable<ExerciseRecord> = {
    checks,
    firstCheckAt: before?.firstCheckAt ?? event.at,
    lastAt: event.at,
    verdict: event.verdict,
  };
  if (before?.firstPassAt !== undefined) {
    after.firstPassAt = before.firstPassAt;
    after.checksBeforePass = before.checksBeforePass ?? 0;
  } else if (event.verdict === "pass") {
    after.firstPassAt = event.at;
    after.checksBeforePass = checks - 1;
  }
  const failing = event.verdict !== "pass" && (event.causeId || event.cause);
  const causeId = failing ? event.causeId : before?.causeId;
  const cause = failing ? event.cause : before?.cause;
  if (causeId) after.causeId = causeId;
  if (cause) after.cause = cause;
  return { ...records, [id]: after };
}

/** Records as the board saved them (total: odd entries are left out). */
export function decodeRecords(raw: unknown): ExerciseRecords | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const out: Record<string, ExerciseRecord> = {};
  for (const [id, value] of Object.entries(raw).slice(0, EXERCISES_KEPT)) {
    const r = value as Partial<Record<keyof ExerciseRecord, unknown>> | null;
    if (!r || typeof r !== "object" || id === "__proto__") continue;
    const { checks, firstCheckAt, lastAt, verdict } = r;
    if (typeof checks !== "number" || typeof firstCheckAt !== "string") continue;
    if (typeof lastAt !== "string") continue;
    if (verdict !== "pass" && verdict !== "fail" && verdict !== "error") continue;
    const record: Mutable<ExerciseRecord> = { checks, firstCheckAt, lastAt, verdict };
    if (typeof r.firstPassAt === "string") record.firstPassAt = r.firstPassAt;
    if (typeof r.checksBeforePass === "number") record.checksBeforePass = r.checksBeforePass;
    if (typeof r.causeId === "string") record.causeId = r.causeId;
    if (typeof r.cause === "string") record.cause = r.cause;
    out[id] = record;
  }
  return out;
}
