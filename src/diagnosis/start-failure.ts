import type { InstanceRef } from "../events.js";

export interface StartFailure {
  readonly instance: InstanceRef;
  /** "exited": the process ended before answering; "timeout": it never answered in time. */
  readonly kind: "exited" | "timeout";
  readonly code?: number | null;
  readonly signal?: string | null;
  readonly timeoutMs: number;
  readonly lastLines: readonly string[];
  /** Ports the app listens on instead of APP_PORT, when the lab could see them. */
  readonly listensOn?: readonly number[];
}

/** Why a boot failed, as a stable cause id (see CAUSE_IDS). */
export type StartCause = "never-listened" | "ignores-app-port" | "app-did-not-start";

/** Turns what we saw of a failed boot into one sentence and the most likely fix. */
export function diagnoseStartFailure(failure: StartFailure): {
  message: string;
  hint: string;
  causeId: StartCause;
} {
  const { instance, kind, code, signal, timeoutMs, lastLines } = failure;
  const where = `Instance ${instance.index} on :${instance.port}`;
  const log = lastLines.join("\n");
  const elsewhere = failure.listensOn?.filter((p) => p !== instance.port) ?? [];
  if (kind === "timeout" && elsewhere.length > 0) {
    return {
      message: `${where} did not answer HTTP within ${formatSeconds(timeoutMs)}: it listens on ${elsewhere.map((p) => `:${p}`).join(", ")} instead of APP_PORT.`,
      hint: `Make the app listen on the port in APP_PORT (${instance.port} here), e.g. Number(process.env.APP_PORT), not a fixed port.`,
      causeId: "ignores-app-port",
    };
  }
  if (kind === "timeout") {
    return {
      message: `${where} did not answer HTTP within ${formatSeconds(timeoutMs)}.`,
      hint: `Does the app listen on the port in APP_PORT (${instance.port} here) and on 127.0.0.1? A slow app can be given longer with --timeout <seconds>.`,
      causeId: "never-listened",
    };
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? "unknown"}`;
  const message = `${where} ${how} before it answered.`;
  if (/EADDRINUSE/.test(log)) {
    return {
      causeId: "ignores-app-port",
      message,
      hint: `Another program holds the port it tried to listen on: make the app listen on APP_PORT (${instance.port}), not a fixed port.`,
    };
  }
  if (/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/.test(log)) {
    return {
      causeId: "app-did-not-start",
      message,
      hint: "An import could not be found: check the package name in the import lines above.",
    };
  }
  if (/SyntaxError/.test(log)) {
    return {
      causeId: "app-did-not-start",
      message,
      hint: "Fix the syntax error shown in the log above, then save the file.",
    };
  }
  if (/ECONNREFUSED.*6379|Redis|ioredis/i.test(log)) {
    return {
      causeId: "app-did-not-start",
      message,
      hint: "The app could not use Redis: is a Redis running, and is REDIS_URL passed to the client?",
    };
  }
  if (lastLines.every((line) => line.trim() === "")) {
    return {
      causeId: "app-did-not-start",
      message: `${message.slice(0, -1)}, and printed nothing.`,
      hint:
        code === 0 && !signal
          ? "The command ended at once without an error: it must start the app's web server on APP_PORT and keep it running, not return (is it the command that starts the app?)."
          : "Run the same command in a terminal of your own to see why it stops; the app must start a web server on APP_PORT and keep running.",
    };
  }
  return {
    causeId: "app-did-not-start",
    message,
    hint: "Read the last lines of its log above; the app must start a web server on APP_PORT and keep running.",
  };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
