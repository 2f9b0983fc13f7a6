import { Socket } from "node:net";

/** What Linux and the other Unixes share: process groups, signals, a connect probe. */

/** Signals a whole process group; false when no process of it is left. */
export function signalUnixGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signals one process; false when it is gone (or not ours). */
export function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILLs a process and the descendants found for it (parents first, so none forks again).
 * "gone" when no live process has that pid: a zombie, which only waits for its parent to
 * reap it, is gone already.
 */
export async function killUnixTree(
  pid: number,
  descendants: (roots: readonly number[]) => Promise<number[]>,
  live: (pid: number) => Promise<boolean>,
): Promise<"stopped" | "gone"> {
  if (!signalProcess(pid, 0) || !(await live(pid))) return "gone";
  const tree = await descendants([pid]);
  for (const member of tree) signalProcess(member, "SIGKILL");
  return "stopped";
}

/**
 * Whether something accepts a TCP connection on the loopback port (IPv4 or IPv6): who
 * listens may be hidden (another user's), that something does is not.
 */
export async function loopbackAccepts(port: number, timeoutMs = 500): Promise<boolean> {
  const answers = await Promise.all(
    ["127.0.0.1", "::1"].map((host) => accepts(host, port, timeoutMs)),
  );
  return answers.some(Boolean);
}

function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect({ port, host }, () => done(true));
  });
}
