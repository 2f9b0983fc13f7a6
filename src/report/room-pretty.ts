import type { ChalkInstance } from "chalk";
import type { LabEvent } from "../events.js";
import { typed } from "../invocation.js";
import { stripControl } from "./strip.js";

type RoomLabEvent = Extract<
  LabEvent,
  {
    type:
      | "board:ready"
      | "board:redis"
      | "board:exported"
      | "room:event"
      | "room:joined"
      | "room:left"
      | "room:published";
  }
>;

const MARKS: Record<string, string> = { pass: "✔", fail: "✘", error: "⚠" };

/** Terminal sequences out (stripControl), and the C1 controls too (0x9b is an 8-bit CSI). */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return stripControl(String(text)).replace(/[\x00-\x1f\x7f-\x9f]/g, " ");
}

/** The lines of the room's events: the board's banner, its feed, and an attendee's joins. */
export function roomLines(event: RoomLabEvent, c: ChalkInstance): string[] {
  switch (event.type) {
    case "board:ready": {
      const lines = [
        "",
        `  ${c.green("➜")}  Room ${c.bold(event.room)}: open ${c.bold.underline(event.url)} ${
          event.elsewhere.length === 0
            ? "(on this machine only: --host 0.0.0.0 serves it to other laptops too)"
            : `here, or ${event.elsewhere.map((u) => c.bold.underline(u)).join(" or ")} on another laptop`
        }`,
        c.gray(
          `     ${event.attendees} attendee${event.attendees === 1 ? "" : "s"} so far · Ctrl-C stops the board; the room stays in Redis for a day`,
        ),
        "",
        "  Attendees join with:",
        `     ${c.bold(event.joinLine)}`,
      ];
      if (event.access === "user-created")
        lines.push(
          c.gray(
            "     (as a Redis user made for this room: it may only add each attendee's own results)",
          ),
        );
      if (event.access === "run-acl-line" && event.aclLine) {
        lines.push("", "  Run this once as a Redis admin, so that the attendee user exists:");
        lines.push(`     ${event.aclLine}`);
        lines.push(
          c.gray(
            "     (or start the board with --create-user, with a Redis user allowed ACL commands)",
          ),
        );
      }
      if (event.access === "instructor-credentials")
        lines.push(
          c.yellow(
            "  ⚠ This Redis has no ACL users (before Redis 6): attendees publish with your credentials.",
          ),
        );
      lines.push("");
      return lines;
    }
    case "board:redis":
      return [
        event.up
          ? c.green("✔ The room's Redis is back.")
          : c.yellow("⚠ The room's Redis went away; reconnecting…"),
      ];
    case "board:exported":
      return [
        `${c.green("✔")} Wrote ${event.attendees} attendee${event.attendees === 1 ? "" : "s"} to ${event.file}`,
      ];
    case "room:event": {
      // Every field came from an attendee: none reaches the terminal with control characters.
      const e = event.event;
      const name = clean(e.name);
      if (e.type === "joined") return [c.gray(`  ${name} joined`)];
      const mark = MARKS[e.verdict] ?? "?";
      const cause = e.verdict === "pass" ? "" : ` · ${clean(e.causeId ?? e.cause ?? "")}`;
      return [`  ${mark} ${name} · ${clean(e.exercise)} · ${clean(e.verdict)}${cause}`];
    }
    case "room:joined":
      return [
        `${c.green("✔")} Joined the room ${c.bold(event.room)} as ${c.bold(clean(event.name))}: every check now shows on the instructor's board.`,
        c.gray(
          `  Only your name, the exercise, the verdict and its cause are sent, never your code. \`${typed("leave")}\` stops it.`,
        ),
      ];
    case "room:left":
      return [
        event.room
          ? `${c.green("✔")} Left the room ${c.bold(event.room)}.`
          : "This workspace has not joined a room; nothing changed.",
      ];
    case "room:published":
      return [c.gray(`  Sent to the room ${event.room}.`)];
  }
}
