import { readFile } from "node:fs/promises";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import { findExecutable } from "../cluster/command.js";
import type { Emit } from "../events.js";
import {
  checkPorts,
  checkPython,
  checkRoom,
  checkWorkspace,
  type DoctorCheck,
} from "../lab/doctor-checks.js";
import { redisProblem } from "../redis/inspect.js";
import { HOW_TO_GET_REDIS } from "../redis/server.js";
import { chooseRedisUrl, DEFAULT_REDIS_URL, maskRedisUrl } from "../redis/url.js";
import { EXERCISE_PACKAGES } from "../workspace/link-packages.js";
import { packageRoot } from "../workspace/paths.js";

export interface DoctorOptions {
  readonly dir: string;
  readonly port: number;
  readonly instances: number;
  readonly redisUrl: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly emit: Emit;
}

export type { DoctorCheck } from "../lab/doctor-checks.js";

const MIN_NODE = [20, 18, 1] as const;
/** What the lab and the exercises import; each must resolve from the installed package. */
const PACKAGES = ["commander", "undici", "chalk", "tough-cookie", ...EXERCISE_PACKAGES];

/** Checks what a workshop needs and returns a report an attendee can paste into a chat. */
export async function doctor(
  options: DoctorOptions,
): Promise<{ checks: DoctorCheck[]; ok: boolean }> {
  const checks = [
    checkNode(),
    await checkPackages(),
    await checkRedis(options),
    await checkPorts(options),
    await checkWorkspace(options.dir),
    await checkPython(),
    ...(await checkRoom(options.dir)),
  ];
  const ok = checks.every((c) => c.ok);
  const pkg = JSON.parse(await readFile(join(packageRoot, "package.json"), "utf8"));
  options.emit({
    type: "doctor",
    checks,
    ok,
    about: `session-lab ${pkg.version} · ${platform()} ${arch()} · Node ${process.version}`,
  });
  return { checks, ok };
}

function checkNode(): DoctorCheck {
  const have = process.versions.node.split(".").map(Number);
  const ok = compare(have, MIN_NODE) >= 0;
  return {
    name: "Node.js",
    ok,
    detail: `${process.version} (needs ${MIN_NODE.join(".")} or newer)`,
    hint: ok
      ? undefined
      : "Install Node.js 20.18.1 or newer (nodejs.org, or your version manager).",
  };
}

async function checkPackages(): Promise<DoctorCheck> {
  const found: string[] = [];
  const missing: string[] = [];
  for (const name of PACKAGES) {
    try {
      found.push(`${name} ${await versionOf(name)}`);
    } catch {
      missing.push(name);
    }
  }
  return {
    name: "packages",
    ok: missing.length === 0,
    detail: missing.length === 0 ? found.join(", ") : `missing: ${missing.join(", ")}`,
    hint:
      missing.length === 0
        ? undefined
        : "Reinstall session-lab (npm install), with the network on once.",
  };
}

async function versionOf(name: string): Promise<string> {
  let dir = dirname(new URL(import.meta.resolve(name)).pathname);
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // No package.json here; keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) return "?";
    dir = parent;
  }
}

async function checkRedis(options: DoctorOptions): Promise<DoctorCheck> {
  const chosen = chooseRedisUrl(options.redisUrl, options.env);
  const url = chosen?.url ?? options.env.SESSION_LAB_LOCAL_REDIS ?? DEFAULT_REDIS_URL;
  const problem = await redisProblem(url, 1000);
  if (!problem) {
    return {
      name: "Redis",
      ok: true,
      detail: `${maskRedisUrl(url)} answers PING${chosen ? ` (from ${chosen.source})` : ""}`,
    };
  }
  if (chosen) {
    return {
      name: "Redis",
      ok: false,
      detail: `${problem.message} (from ${chosen.source})`,
      hint: problem.hint,
    };
  }
  const server = await findExecutable("redis-server", options.env.PATH ?? "", process.cwd());
  if (server) {
    return {
      name: "Redis",
      ok: true,
      detail: `none on ${new URL(url).host}; the lab will start its own with ${server}`,
    };
  }
  return {
    name: "Redis",
    ok: false,
    detail: `none on ${new URL(url).host}, and redis-server is not installed`,
    hint: HOW_TO_GET_REDIS,
  };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
