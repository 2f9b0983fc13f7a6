import type { ChalkInstance } from "chalk";
import type { LabEvent } from "../events.js";

type SetupEvent = Extract<
  LabEvent,
  {
    type:
      | "workspace:folder-created"
      | "workspace:created"
      | "workspace:found"
      | "app:command"
      | "redis"
      | "leftover:stopped"
      | "warning"
      | "redis:missing";
  }
>;

/** The lines of a lab being set up: the workspace, what runs, which Redis, what was stopped. */
export function setupLines(event: SetupEvent, c: ChalkInstance): string[] {
  const out: string[] = [];
  switch (event.type) {
    case "workspace:folder-created":
      out.push(`${c.green("✔")} Created the workspace folder ${event.dir}/`);
      return out;
    case "workspace:created":
      out.push(
        `${c.green("✔")} Copied the starter of ${c.bold(event.exercise)} into ${event.dir}/`,
      );
      out.push(`  Edit ${c.bold(event.entry)} — the instances restart when you save.`);
      if (event.brief) out.push(`  The exercise's brief: ${c.bold(event.brief)}`);
      return out;
    case "workspace:found":
      out.push(
        `${c.green("✔")} Using your copy of ${c.bold(event.exercise)}: ${c.bold(event.entry)}`,
      );
      if (event.brief) out.push(c.gray(`  The exercise's brief: ${event.brief}`));
      return out;
    case "app:command":
      out.push(c.gray(`  Each instance runs: ${event.description}`));
      return out;
    case "redis":
      out.push(c.gray(`  Redis for the instances: ${event.url} (${event.source})`));
      return out;
    case "leftover:stopped":
      out.push(
        c.yellow(
          event.reason === "escaped"
            ? `⚠ Stopped pid ${event.pid} (${event.command}): an app of the lab's that had left its process group (daemonized).`
            : `⚠ Stopped pid ${event.pid} (${event.command}), left running by an earlier run that was killed.`,
        ),
      );
      return out;
    case "warning":
      out.push(c.yellow(`⚠ ${event.message}`));
      return out;
    case "redis:missing":
      out.push(
        c.yellow(
          `⚠ ${event.message} The starter runs without it; your Redis version will need one.`,
        ),
      );
      out.push(c.gray(`  ${event.hint}`));
      return out;
  }
}
