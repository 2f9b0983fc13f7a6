import { Socket } from "node:net";
import { portOwner } from "../processes/port-owner.js";

/**
 * The loopback address a local client may reach instead of the proxy's: `localhost` resolves
 * to ::1 first on macOS and most Linux, to 127.0.0.1 elsewhere. Undefined for other hosts.
 */
export function otherLoopback(host: string): string | undefined {
  if (host === "127.0.0.1" || host === "0.0.0.0") return "::1";
  if (host === "::1") return "127.0.0.1";
  return undefined;
}

/**
 * A program listening on the proxy's port on the other loopback address, in one line naming
 * it (pid and command, when the platform layer can tell), or undefined when there is none.
 * Asked before the proxy listens, so the only listener on that port is the other one. A
 * browser's http://localhost:<port>/ may reach that program and never the proxy.
 */
export async function otherLoopbackListener(
  host: string,
  port: number,
): Promise<string | undefined> {
  const other = otherLoopback(host);
  if (!other || !(await acceptsConnections(other, port))) return undefined;
  const owner = await portOwner(port).catch(() => undefined);
  const command =
    owner && owner.command.length > 60 ? `${owner.command.slice(0, 59)}…` : owner?.command;
  const who = owner ? `pid ${owner.pid} (${command})` : "Another program";
  const where = other.includes(":") ? `[${other}]:${port}` : `${other}:${port}`;
  const mine = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return `${owner ? `Another program, ${who},` : who} listens on ${where}: where localhost means ${other}, http://localhost:${port}/ reaches it instead of the proxy. Open http://${mine}:${port}/, or stop it.`;
}

/** Whether something accepts a TCP connection on address:port (closed again at once). */
function acceptsConnections(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.connect({ port, host: address }, () => done(true));
  });
}
