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

/** How long each text of an event may be; longer ones are cut (on the way out and in). */
const MAX = { name: 40, at: 40, version: 40, exercise: 80, causeId: 60, cause: 200 } as const;
const MAX_SCENARIOS = 20;

/**
 * As stream fields: flat strings, the structured part as JSON. Texts are cut to what the
 * board keeps, so a real event always fits the room's entry limit.
 */
export function encodeRoomEvent(event: RoomEvent): Record<string, string> {
  const fitted: RoomEvent =
    event.type === "joined"
      ? { ...event, name: event.name.slice(0, MAX.name) }
      : {
          ...event,
          name: event.name.slice(0, MAX.name),
          exercise: event.exercise.slice(0, MAX.exercise),
          ...(event.causeId ? { causeId: event.causeId.slice(0, MAX.causeId) } : {}),
          ...(event.cause ? { cause: event.cause.slice(0, MAX.cause) } : {}),
          scenarios: event.scenarios
            .slice(0, MAX_SCENARIOS)
            .map((s) => ({ id: s.id.slice(0, 40), status: s.status.slice(0, 20) })),
        };
  return { schema: ROOM_SCHEMA, type: event.type, data: JSON.stringify(fitted) };
}

/**
 * A stream entry back as an event, or undefined when it is not one of ours or is malformed.
 * Total: anyone who may write to the room could write anything, so nothing here throws;
 * every field is checked, texts are cut and lose their control characters (a terminal must
 * never receive an attendee's escape sequences).
 */
export function decodeRoomEvent(fields: Readonly<Record<string, string>>): RoomEvent | undefined {
  try {
    if (fields.schema !== ROOM_SCHEMA || typeof fields.data !== "string") return undefined;
    return decodeData(JSON.parse(fields.data));
  } catch {
    return undefined;
  }
}

function decodeData(raw: unknown): RoomEvent | undefined {
  if (!isRecord(raw)) return undefined;
  const name = text(raw.name, MAX.name);
  const at = text(raw.at, MAX.at);
  const version = text(raw.version, MAX.version) ?? "?";
  if (!name || !at || Number.isNaN(Date.parse(at))) return undefined;
  if (raw.type === "joined") return { type: "joined", name, at, version };
  if (raw.type !== "check") return undefined;
  const verdict = raw.verdict;
  const exercise = text(raw.exercise, MAX.exercise);
  if ((verdict !== "pass" && verdict !== "fail" && verdict !== "error") || !exercise)
    return undefined;
  const scenarios = Array.isArray(raw.scenarios)
    ? raw.scenarios.slice(0, MAX_SCENARIOS).map((s: unknown) => ({
        id: (isRecord(s) && text(s.id, 40)) || "?",
        status: (isRecord(s) && text(s.status, 20)) || "?",
      }))
    : [];
  const causeId = text(raw.causeId, MAX.causeId);
  const cause = text(raw.cause, MAX.cause);
  const duration = raw.durationMs;
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
    durationMs:
      typeof duration === "number" && Number.isFinite(duration) && duration >= 0 ? duration : 0,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Terminal escape sequences (CSI, OSC, and the rest of ESC), C0 and C1 control characters
 * (C1 includes the 8-bit CSI), and the bidirectional overrides that reorder what is shown.
 */
const CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** A text from the room: a string, without control characters, trimmed and cut; or undefined. */
export function roomText(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const clean = value
    .slice(0, max * 4)
    .replace(CONTROL, "")
    .trim()
    .slice(0, max);
  return clean.length > 0 ? clean : undefined;
}

const text = roomText;
