/** The schema every room event carries, so foreign entries in the stream are recognised. */
export const ROOM_SCHEMA = "session-lab/room@1";

export type RoomVerdict = "pass" | "fail" | "error";

/**
 * What an attendee's lab publishes to the room: that it joined, or one check's result. Never
 * code or file names: a name, the exercise, the verdict and cause, and per-scenario statuses.
 */
export type RoomEvent =
  | {
      readonly type: "joined";
      readonly name: string;
      readonly at: string;
      readonly version: string;
    }
  | {
      readonly type: "check";
      readonly name: string;
      readonly at: string;
      readonly version: string;
      readonly exercise: string;
      readonly verdict: RoomVerdict;
      readonly causeId?: string;
      readonly cause?: string;
      readonly scenarios: readonly { readonly id: string; readonly status: string }[];
      readonly durationMs: number;
    };

/** As stream fields: flat strings, the structured part as JSON. */
export function encodeRoomEvent(event: RoomEvent): Record<string, string> {
  return { schema: ROOM_SCHEMA, type: event.type, name: event.name, data: JSON.stringify(event) };
}

const MAX_TEXT = 200;

/**
 * A stream entry back as an event, or undefined when it is not one of ours or is malformed
 * (anyone who may XADD could write anything): every field is checked, texts are capped.
 */
export function decodeRoomEvent(fields: Readonly<Record<string, string>>): RoomEvent | undefined {
  if (fields.schema !== ROOM_SCHEMA || !fields.data) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fields.data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const name = text(raw.name, 40);
  const at = text(raw.at, 40);
  const version = text(raw.version, 40) ?? "?";
  if (!name || !at || Number.isNaN(Date.parse(at))) return undefined;
  if (raw.type === "joined") return { type: "joined", name, at, version };
  if (raw.type !== "check") return undefined;
  const verdict = raw.verdict;
  const exercise = text(raw.exercise, 80);
  if ((verdict !== "pass" && verdict !== "fail" && verdict !== "error") || !exercise)
    return undefined;
  const scenarios = Array.isArray(raw.scenarios)
    ? raw.scenarios.slice(0, 20).map((s: { id?: unknown; status?: unknown }) => ({
        id: text(s?.id, 40) ?? "?",
        status: text(s?.status, 20) ?? "?",
      }))
    : [];
  const causeId = text(raw.causeId, 60);
  const cause = text(raw.cause, MAX_TEXT);
  return {
    type: "check",
    name,
    at,
    version,
    exercise,
    verdict,
    ...(causeId ? { causeId } : {}),
    ...(cause ? { cause } : {}),
    scenarios,
    durationMs: typeof raw.durationMs === "number" && raw.durationMs >= 0 ? raw.durationMs : 0,
  };
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.length > 0 ? value.slice(0, max) : undefined;
}
