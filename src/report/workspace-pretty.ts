import type { ChalkInstance } from "chalk";
import type { EventOf as Of } from "../events.js";
import { typed } from "../invocation.js";

/** Where the backup went, what was too large to copy, and what was pruned. */
export function backupLines(event: Of<"backup:created">, c: ChalkInstance): string[] {
  const lines = [`${c.green("✔")} Backed up ${event.exercises.join(", ")} to ${event.dir}/`];
  for (const f of event.large) {
    const size = `${Math.round(f.bytes / (1024 * 1024))} MB`;
    lines.push(
      c.yellow(
        f.how === "moved"
          ? `  ${f.file} (${size}) was moved into the backup, not copied`
          : `  ${f.file} (${size}) is too large to back up; it was left where it is, untouched`,
      ),
    );
  }
  if (event.pruned > 0)
    lines.push(
      c.gray(
        `  Removed the ${event.pruned} oldest backup${event.pruned === 1 ? "" : "s"}: the newest 10 are kept.`,
      ),
    );
  return lines;
}

/** A unified diff, coloured like git's. */
export function diffText(event: Of<"diff">, c: ChalkInstance): string[] {
  return event.lines.map((line) => {
    if (line.startsWith("---") || line.startsWith("+++")) return c.bold(line);
    if (line.startsWith("@@")) return c.cyan(line);
    if (line.startsWith("+")) return c.green(line);
    if (line.startsWith("-")) return c.red(line);
    return line;
  });
}

const STATE_MARKS: Record<string, string> = {
  passed: "✔",
  failing: "✘",
  "in progress": "…",
  "not started": "·",
};

/** One line per exercise: its state, the current one marked. */
export function exerciseRows(event: Of<"exercises">, c: ChalkInstance, now = Date.now()): string[] {
  const width = Math.max(...event.rows.map((r) => r.id.length));
  const titleWidth = Math.max(...event.rows.map((r) => r.title.length));
  const rows = event.rows.map((row) => {
    const colour = row.state === "passed" ? c.green : row.state === "failing" ? c.red : c.gray;
    const when = row.checkedAt ? c.gray(` (checked ${ago(now - Date.parse(row.checkedAt))})`) : "";
    const pointer = row.current ? c.bold("➜") : " ";
    const state = row.causeId ? `${row.state} (${row.causeId})` : row.state;
    return `${pointer} ${colour(STATE_MARKS[row.state] ?? " ")} ${row.id.padEnd(width)}  ${row.title.padEnd(titleWidth)}  ${colour(state)}${when}`;
  });
  if (event.room)
    rows.push(
      "",
      c.gray(
        `  Every check is sent to the room ${event.room.room} as ${event.room.name} (${typed("leave")} stops it).`,
      ),
    );
  return rows;
}

/** The doctor's report, plain enough to paste into a chat. */
export function doctorText(event: Of<"doctor">, c: ChalkInstance): string[] {
  const width = Math.max(...event.checks.map((check) => check.name.length));
  const lines = ["session-lab doctor", `  ${event.about}`];
  for (const check of event.checks) {
    lines.push(
      `  ${check.ok ? c.green("✔") : c.red("✘")} ${check.name.padEnd(width)}  ${check.detail}`,
    );
    if (check.hint) lines.push(`    ${" ".repeat(width)}  ${c.yellow(check.hint)}`);
  }
  lines.push(
    event.ok ? c.green("All good.") : c.red("Some checks failed: see the lines marked ✘."),
  );
  return lines;
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}
