import { createServer } from "node:net";
import { PortInUseError } from "../errors.js";

/** The instance ports that follow the proxy's: 5000 -> 5001, 5002, ... */
export function instancePorts(proxyPort: number, instances: number): number[] {
  return Array.from({ length: instances }, (_, i) => proxyPort + 1 + i);
}

/** Resolves when nothing listens on host:port, rejects with PortInUseError otherwise. */
export async function assertPortFree(port: number, host: string, role: string): Promise<void> {
  const free = await isPortFree(port, host);
  if (!free) throw new PortInUseError(port, role);
}

export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
      else reject(error);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Checks the proxy port and every instance port before anything is spawned. */
export async function assertPortsFree(
  proxyPort: number,
  ports: readonly number[],
  host: string,
): Promise<void> {
  await assertPortFree(proxyPort, host, "the proxy");
  for (const [i, port] of ports.entries()) {
    await assertPortFree(port, host, `instance ${i + 1}`);
  }
}
