import { Chalk, type ChalkInstance } from "chalk";
import type { Emit, InstanceRef, LabEvent, EventOf as Of } from "../events.js";
import { scenarioLines, verdictLines } from "./check-pretty.js";
import { loadBeginLines, loadEndLines, loadProgressLine } from "./load-pretty.js";
import { roomLines } from "./room-pretty.js";
import { createScreen } from "./screen.js";
import { setupLines } from "./setup-pretty.js";
import { stripControl } from "./strip.js";
import { backupLines, diffText, doctorText, exerciseRows } from "./workspace-pretty.js";

export interface PrettyOptions {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Hide the one-line-per-request trace. */
  readonly quiet?: boolean;
  /** Colour level; by default chalk's detection (NO_COLOR, FORCE_COLOR, TTY). */
  readonly color?: boolean;
  /** Spell ✔ ✘ ➜ 💡 … in ASCII: the terminal's locale is not UTF-8. */
  readonly ascii?: boolean;
  /** Ctrl-C: a progress line on screen goes at once, before "Stopping" is written. */
  readonly signal?: AbortSignal;
  /** The terminal moves its cursor (not TERM=dumb): a progress line may rewrite itself. */
  readonly live?: boolean;
}

/** Events after which no instance is still booting as far as the screen is concerned. */
const BOOT_OVER = new Set<LabEvent["type"]>([
  "cluster:ready",
  "cluster:restarted",
  "cluster:failed",
  "check:failed",
  "scenario",
  "check:end",
  "stopping",
  "stopped",
]);

const PREFIX_COLOURS = ["cyan", "magenta", "yellow", "green", "blue", "red"] as const;

/** The terminal reporter: docker-compose-style prefixed logs and short status lines. */
export function createPrettyReporter(options: PrettyOptions): Emit {
  const c: ChalkInstance =
    options.color === undefined ? new Chalk() : new Chalk({ level: options.color ? 1 : 0 });
  const screen = createScreen({
    out: options.out,
    ascii: options.ascii,
    live: options.live,
    progressText: (ready, total, seconds) => c.gray(`  booting ${ready}/${total} · ${seconds} s`),
  });
  options.signal?.addEventListener("abort", () => screen.stopProgress(), { once: true });
  const write = (line: string) => screen.line(line);
  let width = 5;
  const prefix = (i: InstanceRef) => {
    const colour = PREFIX_COLOURS[(i.index - 1) % PREFIX_COLOURS.length] ?? "cyan";
    return c[colour](`${`app-${i.index}`.padEnd(width)} |`);
  };
  const proxyPrefix = () => c.gray(`${"proxy".padEnd(width)} |`);
  let detailShown = false;
  /** The exercise whose check's header is on screen already (said first, before set-up). */
  let headerOf: string | undefined;

  return (event: LabEvent) => {
    if (BOOT_OVER.has(event.type)) screen.stopProgress();
    switch (event.type) {
      case "workspace:folder-created":
      case "workspace:created":
      case "workspace:found":
      case "app:command":
      case "redis":
      case "leftover:stopped":
      case "warning":
      case "redis:missing":
        for (const line of setupLines(event, c)) write(line);
        return;
      case "instance:starting":
        width = Math.max(width, `app-${event.instance.index}`.length);
        screen.starting();
        return;
      case "instance:log":
        write(`${prefix(event.instance)} ${stripControl(event.line)}`);
        return;
      case "instance:ready":
        screen.ready();
        return;
      case "instance:exit":
        // An instance that died while booting ends the boot: its error is next on screen.
        if (!event.expected && !event.wasReady) screen.stopProgress();
        // A death during boot is reported once, by the start error that follows.
        if (!event.expected && event.wasReady) {
          const how = event.signal ? `killed by ${event.signal}` : `exited with code ${event.code}`;
          write(
            `${prefix(event.instance)} ${c.red(`✘ instance ${event.instance.index} on :${event.instance.port} ${how}`)} — the proxy skips it until a restart (r, or save a file).`,
          );
        }
        return;
      case "instance:killed":
        write(
          `${prefix(event.instance)} ${c.yellow(`did not stop within ${event.graceMs / 1000} s of SIGTERM; killed`)}`,
        );
        return;
      case "cluster:ready": {
        const ports = event.instances.map((i) => `:${i.port}`).join(", ");
        write("");
        write(`  ${c.green("➜")}  Open ${c.bold.underline(event.proxyUrl)}`);
        write(
          c.gray(
            `     round-robin over ${event.instances.length} instance${event.instances.length === 1 ? "" : "s"} on ${ports} · ready in ${event.ms} ms`,
          ),
        );
        write(
          c.gray(
            event.interactive
              ? "     keys: c check · r restart · h hint · q quit"
              : "     Ctrl-C stops everything",
          ),
        );
        write("");
        return;
      }
      case "cluster:restarting":
        write(
          c.blue(
            event.reason === "change"
              ? `↻ ${event.file ?? "a file"}${event.more ? ` and ${event.more === 1 ? "1 other file" : `${event.more} other files`}` : ""} changed: restarting the instances`
              : "↻ restarting the instances",
          ),
        );
        return;
      case "cluster:restarted":
        write(c.green(`✔ instances ready again in ${event.ms} ms`));
        return;
      case "check:failed":
        write(`${c.red("✘")} The check could not run: ${event.message}`);
        write(`  ${event.hint}`);
        return;
      case "cluster:failed":
        write(`${c.red("✘")} ${event.message}`);
        for (const line of event.lastLines.slice(-10)) write(c.gray(`    ${stripControl(line)}`));
        write(`  ${event.hint}`);
        write(c.gray("  Waiting for a change (or press r to retry)."));
        return;
      case "request":
        if (options.quiet) return;
        write(
          `${proxyPrefix()} ${event.method} ${stripControl(event.path)} → ${
            event.instance ? `app-${event.instance.index} :${event.instance.port}` : "none"
          } ${statusColour(c, event.status)} ${event.ms} ms${event.setCookie ? c.gray(" set-cookie") : ""}`,
        );
        return;
      case "hint":
        for (const line of hintLines(event, c)) write(line);
        return;
      case "exercise:chosen":
        write(
          event.command === "check"
            ? `${c.bold("session-lab check")} · ${event.exercise} (${event.title})`
            : `${c.bold("session-lab solution")} · ${event.exercise} (${event.title}): how the reference solution differs from the starter`,
        );
        if (event.command === "check") headerOf = event.exercise;
        return;
      case "check:begin":
        detailShown = false;
        if (headerOf !== event.exercise) {
          write("");
          write(`${c.bold("session-lab check")} · ${event.exercise} (${event.title})`);
        }
        headerOf = undefined;
        write(c.gray(`  ${event.target} · Redis ${event.redis}`));
        write("");
        return;
      case "scenario":
        for (const line of scenarioLines(event.result, c, !detailShown)) write(line);
        if (event.result.status === "fail" || event.result.status === "error") detailShown = true;
        return;
      case "check:end":
        for (const line of verdictLines(event.report, c, event.hint)) write(line);
        return;
      case "backup:created":
        for (const line of backupLines(event, c)) write(line);
        return;
      case "exercise:restored":
        write(
          `${c.green("✔")} Restored ${c.bold(event.exercise)} from ${event.from}${event.into ? ` into ${event.into} (the folder your link points to)` : ""}`,
        );
        return;
      case "redis:cleaned":
        write(
          event.removed === undefined
            ? c.gray(
                `  Redis: none in reach, so no session keys were removed (prefix ${event.prefix}).`,
              )
            : `${c.green("✔")} Removed ${event.removed} session key${event.removed === 1 ? "" : "s"} under ${event.prefix} from ${event.redis}; nothing else was touched`,
        );
        return;
      case "reset:cancelled":
        write("Cancelled; nothing changed.");
        return;
      case "diff":
        for (const line of diffText(event, c)) write(line);
        return;
      case "exercises":
        for (const line of exerciseRows(event, c)) write(line);
        return;
      case "doctor":
        for (const line of doctorText(event, c)) write(line);
        return;
      case "load:begin":
        for (const line of loadBeginLines(event, c)) write(line);
        return;
      case "load:progress":
        // Live on a terminal only; a log file gets the summary.
        if (options.out.isTTY) screen.raw(`\r\u001b[2K${loadProgressLine(event, c)}`);
        return;
      case "load:end":
        if (options.out.isTTY) screen.raw("\r\u001b[2K");
        for (const line of loadEndLines(event, c)) write(line);
        return;
      case "board:ready":
      case "board:redis":
      case "board:exported":
      case "room:event":
      case "room:joined":
      case "room:left":
      case "room:published":
        for (const line of roomLines(event, c)) write(line);
        return;
      case "exercise:next":
        write(
          `  ${c.green("➜")}  Next: ${c.bold(event.id)} (${event.title}): ${event.running ? "quit (q), then " : ""}${c.bold(event.command)}; until then every command stays on ${event.current}.`,
        );
        return;
      case "ui:ready": {
        const buttons = [
          ...(event.buttons ? ["check", "restart"] : []),
          ...(event.failover ? ["fail-over"] : []),
        ];
        const names = `${buttons.slice(0, -1).join(", ")}${buttons.length > 1 ? " and " : ""}${buttons.at(-1)}`;
        const text =
          buttons.length > 0 ? ` (with ${names} button${buttons.length > 1 ? "s" : ""})` : "";
        write(
          `  ${c.green("➜")}  Live page for the projector: ${c.bold.underline(event.url)}${c.gray(text)}`,
        );
        return;
      }
      case "redis:topology":
        // Said on the live page; the terminal says a switch only.
        if (event.switched) write(`  ${c.yellow("⇄")}  ${switchLine(event)}`);
        return;
      case "redis:failover-asked":
        write(
          event.failed
            ? `  ${c.yellow("⚠")}  The failover could not run: ${event.failed}`
            : `  ${c.yellow("⇄")}  Failover asked for from the live page (SENTINEL FAILOVER)…`,
        );
        return;
      case "stopping":
        write(c.gray(`Stopping (${event.reason})…`));
        return;
      case "stopped":
        write(c.gray("Stopped; every instance and port is free."));
        return;
      default:
        // A new kind of event is a compile error here until the terminal knows how to show it.
        event satisfies never;
    }
  };
}

/** A primary that changed, in one line. */
function switchLine(event: Of<"redis:topology">): string {
  const { from, to } = event.switched ?? { from: "", to: "" };
  if (event.topology.kind === "sentinel")
    return `Redis: the sentinels named ${to} the primary (was ${from}).`;
  const shard = event.topology.shards.find((s) => s.primary === to);
  const slots = shard?.slots.map(([a, b]) => `${a}–${b}`).join(", ") ?? "";
  return `Redis Cluster: ${to} is the primary of slots ${slots} (was ${from}).`;
}

/** The hint, and after the last one where to look next. */
function hintLines(event: Of<"hint">, c: ChalkInstance): string[] {
  const lines = [
    `${c.yellow("💡")} Hint ${event.number}/${event.total} for ${event.exercise}${event.repeated ? " (the last one, again)" : ""}:`,
    `   ${event.text}`,
  ];
  if (event.number === event.total && event.solution)
    lines.push(
      c.gray(
        `   That was the last hint. \`${event.solution}\` shows how the reference solution differs from the starter.`,
      ),
    );
  return lines;
}

function statusColour(c: ChalkInstance, status: number): string {
  if (status >= 500) return c.red(String(status));
  if (status >= 400) return c.yellow(String(status));
  return c.green(String(status));
}
