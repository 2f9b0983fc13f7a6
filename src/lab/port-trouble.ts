import { LabError, PortInUseError } from "../errors.js";
import { typed } from "../invocation.js";
import { carriesMarker } from "../processes/marker.js";
import { holderCommand, portListening, portOwner } from "../processes/port-owner.js";
import { labAlive, readRunRecords } from "../workspace/runs.js";

/** Ports below this one need root on Linux (net.ipv4.ip_unprivileged_port_start). */
const FIRST_UNPRIVILEGED_PORT = 1024;

/** A port below 1024 the lab may not listen on: it is not root. */
export class PortPermissionError extends LabError {
  constructor(
    readonly port: number,
    readonly role: string,
  ) {
    super(
      `Port ${port} (${role}) cannot be used: ports below ${FIRST_UNPRIVILEGED_PORT} need root.`,
      "Use a port above 1023, e.g. --port 5000 (the instances take the ports right after it).",
    );
  }
}

/** Where macOS's AirPlay Receiver is turned off, for the one line that says it holds a port. */
export const AIRPLAY_SETTING = "System Settings › General › AirDrop & Handoff › AirPlay Receiver";

/**
 * Whether a command line is macOS's AirPlay Receiver: ControlCenter (macOS 12 and later)
 * listens on ports 5000 and 7000 for AirPlay, and 5000 is the lab's default proxy port.
 */
export function isAirPlayReceiver(command: string): boolean {
  return /(^|\/)ControlCenter(\.app\/|\s|$)|(^|\/)AirPlayXPCHelper(\s|$)/.test(command);
}

/** What keeps the lab from a port, as far as the OS tells. */
export type PortHolder =
  | { readonly kind: "own-start"; readonly pid: number; readonly exercise?: string }
  | { readonly kind: "airplay"; readonly pid: number }
  | { readonly kind: "program"; readonly pid: number; readonly command: string }
  | { readonly kind: "other-user" }
  | { readonly kind: "no-permission" };

/**
 * Who holds a port the lab could not take: this workspace's own `start`, another program (its
 * pid and command line), one of another user (listening, but not ours to look into); or, when
 * nothing listens there and the port is below 1024, no one: the lab may not, without root.
 * macOS's AirPlay Receiver is named as such. Undefined when nothing tells.
 */
export async function portHolder(port: number, workspace: string): Promise<PortHolder | undefined> {
  const owner = await portOwner(port).catch(() => undefined);
  if (owner) {
    const start = await startHolding(workspace, owner.pid);
    if (start) return { kind: "own-start", pid: start.labPid, exercise: start.exercise };
    if (isAirPlayReceiver(owner.command)) return { kind: "airplay", pid: owner.pid };
    return { kind: "program", pid: owner.pid, command: owner.command };
  }
  if (await portListening(port).catch(() => false)) return { kind: "other-user" };
  // Windows lets anyone listen below 1024; on Unix only root may (unless the system says so).
  const privileged = process.platform !== "win32" && process.getuid?.() !== 0;
  return port < FIRST_UNPRIVILEGED_PORT && privileged ? { kind: "no-permission" } : undefined;
}

/** The true reason a port could not be taken, with what to do next. */
export async function explainTakenPort(
  error: PortInUseError,
  workspace: string,
): Promise<LabError> {
  const { port, role } = error;
  const holder = await portHolder(port, workspace);
  switch (holder?.kind) {
    case undefined:
      return error;
    case "no-permission":
      return new PortPermissionError(port, role);
    case "own-start":
      return new PortInUseError(port, role, {
        message: `Port ${port} (${role}) is taken by your own session-lab start in this workspace (pid ${holder.pid}${holder.exercise ? `, running ${holder.exercise}` : ""}).`,
        hint: `It is running already: use it, or stop it (q or Ctrl-C in its terminal) first; a second one beside it needs other ports, e.g. --port ${port + 100}.`,
      });
    case "airplay":
      return new PortInUseError(port, role, {
        message: `Port ${port} (${role}) is held by macOS's AirPlay Receiver (ControlCenter, pid ${holder.pid}): turn it off (${AIRPLAY_SETTING}), or use another port: --port 6000.`,
        hint: "With --port 6000 the instances take the ports after it (6001, 6002, …).",
      });
    case "program":
      return new PortInUseError(port, role, {
        message: `Port ${port} (${role}) is already in use by pid ${holder.pid} (${holder.command}).`,
        hint: "Stop that program, or choose other ports with --port <p> (the instances take the ports after it).",
      });
    case "other-user":
      return new PortInUseError(port, role, {
        message: `Port ${port} (${role}) is already in use, by a program of another user (which one, only root may see).`,
        hint: `\`${holderCommand(port)}\` names it; or choose other ports with --port <p> (\`${typed("doctor")}\` checks them).`,
      });
  }
}

/** The run record of a live `start` of this workspace whose lab, or one of whose instances, is `pid`. */
async function startHolding(workspace: string, pid: number) {
  for (const { record } of await readRunRecords(workspace)) {
    // This lab's own record (written before its ports are claimed) is not another start.
    if (record?.kind !== "start" || record.labPid === process.pid) continue;
    if (!(await labAlive(record))) continue;
    if (record.labPid === pid) return record;
    if (record.runId && (await carriesMarker(pid, record.runId).catch(() => false))) return record;
  }
  return undefined;
}
