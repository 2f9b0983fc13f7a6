import type { CheckReport } from "./model/check-report.js";
import type { InstanceRef } from "./model/instance.js";
import type { LoadReport } from "./model/load-report.js";
import type { ScenarioResult } from "./model/results.js";
import type { RoomEvent } from "./model/room-event.js";
import type { RedisTopology } from "./model/topology.js";

export type { InstanceRef } from "./model/instance.js";

/**
 * Everything the lab reports while it runs. Commands and modules emit these; only the
 * reporters in src/report/ turn them into text.
 */
export type LabEvent =
  | { type: "workspace:created"; exercise: string; dir: string; entry: string; brief?: string }
  | { type: "workspace:found"; exercise: string; dir: string; entry: string; brief?: string }
  | { type: "workspace:folder-created"; dir: string }
  | { type: "app:command"; description: string }
  | { type: "redis"; url: string; source: string }
  | { type: "redis:missing"; message: string; hint: string }
  /**
   * The lab's own Sentinel set-up or Cluster as it is now: said when the lab starts watching
   * it and whenever it changes. `switched`: a primary changed (the sentinels named a new one).
   */
  | {
      type: "redis:topology";
      topology: RedisTopology;
      switched?: { readonly from: string; readonly to: string };
    }
  /** A failover was asked for (the live page's button); `failed` says why it could not run. */
  | { type: "redis:failover-asked"; failed?: string }
  | { type: "warning"; message: string }
  | {
      type: "leftover:stopped";
      pid: number;
      command: string;
      /** A group a killed run left, or an app that had left its group (daemonized). */
      reason: "killed-run" | "escaped";
    }
  | { type: "instance:starting"; instance: InstanceRef }
  | { type: "instance:log"; instance: InstanceRef; stream: "stdout" | "stderr"; line: string }
  | { type: "instance:ready"; instance: InstanceRef; ms: number }
  | {
      type: "instance:exit";
      instance: InstanceRef;
      code: number | null;
      signal: string | null;
      /** The lab asked it to stop. */
      expected: boolean;
      /** It had answered HTTP before it ended (false: it died while booting). */
      wasReady: boolean;
      lastLines: readonly string[];
    }
  | { type: "instance:killed"; instance: InstanceRef; graceMs: number }
  | {
      type: "cluster:ready";
      proxyUrl: string;
      instances: readonly InstanceRef[];
      ms: number;
      interactive: boolean;
    }
  | {
      type: "cluster:restarting";
      reason: "key" | "change";
      /** The file saved (the latest, when a burst saved several). */
      file?: string;
      /** How many other files that burst changed. */
      more?: number;
    }
  | { type: "cluster:restarted"; ms: number }
  | { type: "cluster:failed"; message: string; hint: string; lastLines: readonly string[] }
  | {
      type: "request";
      method: string;
      path: string;
      instance: InstanceRef | null;
      status: number;
      ms: number;
      setCookie: boolean;
    }
  | {
      type: "hint";
      exercise: string;
      number: number;
      total: number;
      text: string;
      /** The last hint, shown again. */
      repeated: boolean;
      /** On the last hint: the command that shows the reference solution. */
      solution?: string;
    }
  /** The exercise a command is about, said first: check's and solution's opening line. */
  | { type: "exercise:chosen"; command: "check" | "solution"; exercise: string; title: string }
  | { type: "check:begin"; exercise: string; title: string; target: string; redis: string }
  | { type: "scenario"; result: ScenarioResult }
  | {
      type: "check:end";
      report: CheckReport;
      /** Where the next hint is, for a failure: a key of the running start, or a command. */
      hint?: { readonly key: string } | { readonly command: string };
    }
  /** A check asked for while `start` runs (the c key) that could not run at all. */
  | { type: "check:failed"; message: string; hint: string }
  | {
      type: "backup:created";
      dir: string;
      exercises: readonly string[];
      /** Files too large to copy: moved into the backup, or left where they are. */
      large: readonly { file: string; bytes: number; how: "moved" | "left" }[];
      /** Older backups removed to keep the newest ones. */
      pruned: number;
    }
  | {
      type: "exercise:restored";
      exercise: string;
      from: string;
      /** Where the files were written, when the exercise folder is a link to elsewhere. */
      into?: string;
    }
  | { type: "redis:cleaned"; removed: number | undefined; redis: string; prefix: string }
  | { type: "reset:cancelled" }
  | { type: "diff"; file: string; lines: readonly string[] }
  | {
      type: "exercises";
      rows: readonly {
        id: string;
        title: string;
        state: string;
        checkedAt?: string;
        causeId?: string;
        current: boolean;
      }[];
      /** The room the workspace joined, if any. */
      room?: { room: string; name: string };
    }
  | {
      type: "doctor";
      checks: readonly { name: string; ok: boolean; detail: string; hint?: string }[];
      ok: boolean;
      about: string;
    }
  | {
      type: "load:begin";
      target: string;
      users: number;
      durationMs: number;
      requests: number | undefined;
    }
  | {
      type: "load:progress";
      elapsedMs: number;
      requests: number;
      reads: number;
      lost: number;
      errors: number;
    }
  | { type: "load:end"; report: LoadReport }
  | {
      type: "board:ready";
      url: string;
      /** The page's addresses for other laptops (none: bound to this machine alone). */
      elsewhere: string[];
      room: string;
      /** The command attendees paste. */
      joinLine: string;
      /** How attendees authenticate: a user made for the room, a line to run, or the instructor's own. */
      access: "user-created" | "run-acl-line" | "instructor-credentials";
      aclLine?: string;
      attendees: number;
    }
  | { type: "board:redis"; up: boolean }
  | { type: "board:exported"; file: string; attendees: number }
  | { type: "room:event"; event: RoomEvent }
  | { type: "room:joined"; room: string; name: string }
  | { type: "room:left"; room: string | undefined }
  | { type: "room:published"; room: string; name: string }
  | {
      type: "ui:ready";
      url: string;
      /** The check and restart buttons. */
      buttons: boolean;
      /** The "Fail over now" button (the lab's own Sentinel set-up, exercise 05). */
      failover?: boolean;
    }
  | {
      type: "exercise:next";
      id: string;
      title: string;
      /** The command that moves the workspace on to it. */
      command: string;
      /** The exercise every bare command stays on until then. */
      current: string;
      /** Said inside a running start, which has to be quit first. */
      running: boolean;
    }
  | { type: "stopping"; reason: string }
  | { type: "stopped" };

export type Emit = (event: LabEvent) => void;

/** The event of one type, e.g. `EventOf<"scenario">`. */
export type EventOf<T extends LabEvent["type"]> = Extract<LabEvent, { type: T }>;
