import { findPython, PYTHON_INSTALL } from "../cluster/python.js";
import { typed } from "../invocation.js";
import { instancePorts, isPortFree } from "../processes/ports.js";
import { connectRoom, roomConnection } from "../redis/room-store.js";
import { maskRedisUrl } from "../redis/url.js";
import { readMembership } from "../room/membership.js";
import { parseRoomUrl } from "../room/room-url.js";
import { isDirectory, isWritable, nearestExisting } from "../workspace/fs.js";
import { displayPath } from "../workspace/workspace.js";

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
}): Promise<DoctorCheck> {
  const ports = [options.port, ...instancePorts(options.port, options.instances)];
  const taken = [];
  for (const port of ports) if (!(await isPortFree(port, "127.0.0.1"))) taken.push(port);
  return {
    name: "ports",
    ok: taken.length === 0,
    detail: taken.length === 0 ? `${ports.join(", ")} are free` : `${taken.join(", ")} in use`,
    hint:
      taken.length === 0
        ? undefined
        : `Stop what uses them, or run with --port ${options.port + 1000}.`,
  };
}

export async function checkWorkspace(dir: string): Promise<DoctorCheck> {
  const existing = await nearestExisting(dir);
  const folder = await isDirectory(existing);
  const writable = folder && (await isWritable(existing));
  const where =
    existing === dir ? `${displayPath(dir)} is` : `${displayPath(dir)} can be created and is`;
  return {
    name: "workspace",
    ok: writable,
    detail: !folder
      ? `${displayPath(existing)} is a file, not a folder`
      : `${where} ${writable ? "writable" : "not writable"}`,
    hint: writable ? undefined : "Choose a folder you can write to with --dir.",
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
