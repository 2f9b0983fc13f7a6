import type { Emit, InstanceRef } from "../events.js";
import { type AppCommand, Instance } from "./instance.js";
import type { OutputGate } from "./output-gate.js";

export interface ClusterOptions {
  readonly command: AppCommand;
  readonly host: string;
  readonly ports: readonly number[];
  /** The whole environment of every instance; APP_PORT, PORT, APP_HOST and INSTANCE are added per instance. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly emit: Emit;
  readonly onUnexpectedExit?: (ref: InstanceRef) => void;
  /** When set, the instances' logs are read only as fast as the lab's output takes them. */
  readonly output?: OutputGate;
}

/** N instances of one app on consecutive ports, started and stopped together. */
export class Cluster {
  readonly instances: readonly Instance[];

  constructor(private readonly options: ClusterOptions) {
    const { command, host, ports, env, emit, onUnexpectedExit, output } = options;
    this.instances = ports.map(
      (port, i) =>
        new Instance({
          ref: { index: i + 1, port },
          command,
          host,
          env: {
            ...env,
            APP_PORT: String(port),
            PORT: String(port),
            APP_HOST: host,
            INSTANCE: String(i + 1),
          },
          emit,
          onUnexpectedExit,
          output,
        }),
    );
  }

  get refs(): InstanceRef[] {
    return this.instances.map((i) => i.ref);
  }

  /**
   * Starts every instance in parallel and waits until all answer HTTP. The first failure
   * stops the others at once (no waiting out their timeouts) and is thrown. When the signal
   * aborts (or had aborted), it stops what it started and resolves early: the caller, which
   * owns the signal, must not take that for a boot.
   */
  async start(signal?: AbortSignal): Promise<void> {
    const giveUp = new AbortController();
    const onAbort = () => giveUp.abort();
    if (signal?.aborted) giveUp.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    let firstFailure: { reason: unknown } | undefined;
    try {
      await Promise.all(
        this.instances.map((instance) =>
          instance.start(this.options.timeoutMs, giveUp.signal).catch((reason: unknown) => {
            firstFailure ??= { reason };
            giveUp.abort();
          }),
        ),
      );
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (firstFailure) {
      await this.stop();
      throw firstFailure.reason;
    }
  }

  /** Stops every instance in parallel (SIGTERM, then SIGKILL after the grace period). */
  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.stop()));
  }

  async restart(signal?: AbortSignal): Promise<void> {
    await this.stop();
    await this.start(signal);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
