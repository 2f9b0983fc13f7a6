import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseRedisUrl } from "../redis/url.js";
import { parseRoomName } from "../room/room-url.js";
import { parseClusterOptions } from "./options.js";
import {
  type CliContext,
  reporter,
  type SetOutcome,
  withDirOption,
  withRedisOption,
} from "./shared.js";

/** The room: `board` for the instructor, `join` and `leave` for attendees. */
export function registerRoomCommands(
  program: Command,
  context: CliContext,
  _setOutcome: SetOutcome,
): void {
  withRedisOption(program.command("board"))
    .description(
      "instructor: a live web page of every attendee's latest check, through a shared Redis",
    )
    .option("--room <name>", "the room's name (default workshop)")
    .option("-p, --port <port>", "the page's port (default 5050)")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--create-user", "create the Redis ACL user attendees publish as (else print the line)")
    .option("--export <file>", "write the results as CSV and stop")
    .option(
      "--stuck-checks <n>",
      "stuck: the same failing cause on this many checks in a row (default 3)",
    )
    .option(
      "--stuck-minutes <n>",
      "stuck: no pass this many minutes after the first check (default 10)",
    )
    .option("--json", "print the room's events as JSON lines")
    .action(
      async (raw: {
        redisUrl?: string;
        room?: string;
        port?: string;
        host?: string;
        createUser?: boolean;
        export?: string;
        stuckChecks?: string;
        stuckMinutes?: string;
        json?: boolean;
      }) => {
        const value = raw.redisUrl ?? context.env.REDIS_URL;
        if (!value) {
          throw new UsageError(
            "The board needs the Redis the room lives in: none was given.",
            "Pass --redis-url redis://user:password@host:6379 (a Redis every attendee can reach), or set REDIS_URL.",
          );
        }
        const redisUrl = parseRedisUrl(value, raw.redisUrl ? "--redis-url" : "REDIS_URL");
        const { port, host } = parseClusterOptions(
          { port: raw.port ?? "5050", host: raw.host, instances: "1" },
          context.cwd,
        );
        const { board } = await import("../commands/board.js");
        await board({
          redisUrl,
          room: parseRoomName(raw.room ?? "workshop"),
          host,
          port,
          createUser: raw.createUser === true,
          exportTo: raw.export,
          stuck: {
            sameCause: positive(raw.stuckChecks, 3, "--stuck-checks"),
            minutes: positive(raw.stuckMinutes, 10, "--stuck-minutes"),
          },
          emit: await reporter(context, { json: raw.json }),
          signal: context.signal,
        });
      },
    );

  withDirOption(
    program.command("join").argument("<room-url>", "the line your instructor's board printed"),
  )
    .description(
      "attendee: publish every check's result to the room's board (name, verdict, cause; never code)",
    )
    .option("--name <name>", "the name the instructor sees")
    .action(async (url: string, raw: { dir?: string; name?: string }) => {
      const { join } = await import("../commands/join.js");
      await join({
        url,
        name: raw.name,
        dir: parseClusterOptions({ dir: raw.dir }, context.cwd).dir,
        emit: await reporter(context, {}),
      });
    });

  withDirOption(program.command("leave"))
    .description("attendee: stop publishing to the room this workspace joined")
    .action(async (raw: { dir?: string }) => {
      const { leave } = await import("../commands/join.js");
      await leave({
        dir: parseClusterOptions({ dir: raw.dir }, context.cwd).dir,
        emit: await reporter(context, {}),
      });
    });
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `${name} must be a whole number of at least 1, not "${value}".`,
      `For example: ${name} ${fallback}.`,
    );
  }
  return n;
}
