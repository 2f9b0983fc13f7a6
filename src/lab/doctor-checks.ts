import { findPython, PYTHON_INSTALL } from "../cluster/python.js";
import { LabError } from "../errors.js";
import { typed } from "../invocation.js";
import { instancePorts, isPortFree } from "../processes/ports.js";
import { connectRoom, roomConnection } from "../redis/room-store.js";
import { maskRedisUrl } from "../redis/url.js";
import { readMembership } from "../room/membership.js";
import { parseRoomUrl } from "../room/room-url.js";
import { nearestExisting } from "../workspace/fs.js";
import { assertUsableWorkspace, displayPath } from "../workspace/workspace.js";
import { AIRPLAY_SETTING, type PortHolder, portHolder } from "./port-trouble.js";

/** One line of `doctor`'s report. */
export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

/*
 * What `doctor` checks of the machine and the workspace a lab would run on, beside Node,
 * the packages and Redis (which the command checks itself).
 */

export async function checkPorts(options: {
  port: number;
  instances: number;
  dir: string;
}): Promise<DoctorCheck> {
  const ports = [options.port, ...instancePorts(options.port, options.instances)];
  const taken: number[] = [];
  for (const port of ports) if (!(await isPortFree(port, "127.0.0.1"))) taken.push(port);
  if (taken.length === 0)
    return { name: "ports", ok: true, detail: `${ports.join(", ")} are free` };
  const holders = await Promise.all(taken.map((port) => portHolder(port, options.dir)));
  // Held by this workspace's own start: the lab is running, which is all well.
  const own = holders[0]?.kind === "own-start" ? holders[0] : undefined;
  const allOwn = holders.every((h) => h?.kind === "own-start" && h.pid === own?.pid);
  if (own && allOwn && taken.length === ports.length)
    return {
      name: "ports",
      ok: true,
      detail: `${taken.join(", ")} are your running session-lab start's (pid ${own.pid}${own.exercise ? `, ${own.exercise}` : ""})`,
    };
  const said = holders.map((h, i) => `${taken[i]}${h ? ` (${holderWords(h)})` : ""}`);
  const denied = holders.some((h) => h?.kind === "no-permission");
  const allDenied = holders.every((h) => h?.kind === "no-permission");
  return {
    name: "ports",
    ok: false,
    detail: `${said.join(", ")} ${allDenied ? "cannot be used" : "in use"}`,
    hint: denied
      ? "Ports below 1024 need root: use --port 5000."
      : holders.some((h) => h?.kind === "airplay")
        ? `Turn off AirPlay Receiver (${AIRPLAY_SETTING}), or run with --port 6000.`
        : `Stop what uses them, or run with --port ${options.port + 1000}.`,
  };
}

function holderWords(holder: PortHolder): string {
  switch (holder.kind) {
    case "own-start":
      return `your session-lab start, pid ${holder.pid}`;
    case "airplay":
      return `macOS's AirPlay Receiver, ControlCenter pid ${holder.pid}`;
    case "program":
      return `pid ${holder.pid}, ${holder.command}`;
    case "other-user":
      return "another user's program";
    case "no-permission":
      return "below 1024: root only";
  }
}

/** Whether a lab could use the workspace: the very checks `start` makes, in the same words. */
export async function checkWorkspace(dir: string): Promise<DoctorCheck> {
  const problem = await assertUsableWorkspace(dir, false).then(
    () => undefined,
    (error: unknown) => (error instanceof LabError ? error : undefined),
  );
  if (problem) return { name: "workspace", ok: false, detail: problem.message, hint: problem.hint };
  const exists = (await nearestExisting(dir)) === dir;
  return {
    name: "workspace",
    ok: true,
    detail: `${displayPath(dir)} ${exists ? "is writable" : "can be created (its folder is writable)"}`,
  };
}

/** The Flask track's Python: informational, since only that track needs it. */
export async function checkPython(): Promise<DoctorCheck> {
  const python = await findPython();
  return {
    name: "Python",
    ok: true,
    detail: python
      ? `${python} imports flask, flask_session and redis (the Flask track can run)`
      : `none imports flask, flask_session and redis; only the Flask track needs them. ${PYTHON_INSTALL}`,
  };
}

/** The room the workspace joined: does its Redis answer? (Nothing when it joined none.) */
export async function checkRoom(dir: string): Promise<DoctorCheck[]> {
  const membership = await readMembership(dir);
  if (!membership) return [];
  const { redisUrl } = parseRoomUrl(membership.url);
  const client = roomConnection(redisUrl, { retry: false, timeoutMs: 1000 });
  const problem = await connectRoom(client, redisUrl).then(
    () => undefined,
    (error: Error) => error.message,
  );
  client.disconnect();
  return [
    {
      name: "room",
      ok: problem === undefined,
      detail:
        problem ??
        `${membership.room} as ${membership.name}, at ${maskRedisUrl(redisUrl)}: answers`,
      hint: problem
        ? `Checks still work; their results just do not reach the board. \`${typed("leave")}\` stops sending them.`
        : undefined,
    },
  ];
}
