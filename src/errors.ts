/**
 * An error that means "the lab could not run". Its message is one sentence naming the
 * problem; `hint` says what to do next. The CLI prints both and exits 2.
 */
export class LabError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad options or arguments. */
export class UsageError extends LabError {}

/** A port the lab needs is already taken; `said`, when what holds it is known. */
export class PortInUseError extends LabError {
  constructor(
    readonly port: number,
    readonly role: string,
    said?: { readonly message: string; readonly hint: string },
  ) {
    super(
      said?.message ?? `Port ${port} (${role}) is already in use.`,
      said?.hint ??
        `Stop whatever is using it (is another session-lab still running?), or choose other ports with --port <p>.`,
    );
  }
}

/** An instance did not come up: which one, on which port, why, and the end of its log. */
export class AppStartError extends LabError {
  constructor(
    message: string,
    hint: string,
    readonly instance: { index: number; port: number },
    readonly lastLines: readonly string[],
    /** A cause id (see CAUSE_IDS in scenarios/types.ts). */
    readonly causeId:
      | "app-did-not-start"
      | "never-listened"
      | "ignores-app-port"
      | "daemonized" = "app-did-not-start",
  ) {
    super(message, hint);
  }
}

/**
 * An instance's app runs in the background (daemonized: setsid, a double fork, `nohup … &`,
 * `pm2 start`), outside the process group the lab started, so the lab can neither restart
 * nor stop it. Names what holds the port.
 */
export class DaemonizedAppError extends AppStartError {
  constructor(
    instance: { index: number; port: number },
    readonly holder: { pid: number; command: string } | undefined,
    lastLines: readonly string[],
  ) {
    super(
      `Instance ${instance.index} on :${instance.port} runs its app in the background (daemonized)${
        holder ? `: pid ${holder.pid} (${holder.command}) holds the port` : ""
      }, outside the lab's process group, so the lab can neither restart nor stop it.`,
      "Run the app in the foreground: `node app.js`, `pm2-runtime app.js` instead of `pm2 start`, `docker run` without -d, no `&`, `nohup` or `setsid`.",
      instance,
      lastLines,
      "daemonized",
    );
  }
}

/** No Redis could be reached or started. */
export class RedisUnavailableError extends LabError {}

/** The user stopped the command (Ctrl-C, SIGTERM) before it had a result. */
export class InterruptedError extends LabError {}

/** A check stopped by Ctrl-C or SIGTERM: nothing of it is graded, and nothing is printed as a result. */
export function checkInterrupted(): InterruptedError {
  return new InterruptedError(
    "The check was interrupted, so nothing was graded.",
    "Run it again to get a verdict.",
  );
}

/** Throws the interruption when the signal has aborted: the step after it must not run. */
export function throwIfInterrupted(
  signal: AbortSignal | undefined,
  error: () => InterruptedError = () =>
    new InterruptedError("Interrupted before the lab was up.", "Run it again."),
): void {
  if (signal?.aborted) throw error();
}
