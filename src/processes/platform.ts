import type { Platform, PlatformName } from "./platform-api.js";
import { createLinuxPlatform } from "./platform-linux.js";
import { createUnixPlatform } from "./platform-unix.js";
import { createWindowsPlatform } from "./platform-windows.js";
import { procAvailable } from "./proc.js";

export type { MemoryUse, Platform, PlatformName, ProcessEntry } from "./platform-api.js";

/**
 * The environment switch that makes a Linux machine use the ps + lsof implementation, the
 * one macOS uses: `SESSION_LAB_PLATFORM=unix`. The test suite runs its process tests with it.
 */
export const PLATFORM_SWITCH = "SESSION_LAB_PLATFORM";

/**
 * Which implementation a machine gets: Windows by its platform; a Unix with a Linux /proc
 * reads /proc unless the switch asks for ps + lsof; every other Unix (macOS, the BSDs) uses
 * ps + lsof.
 */
export function platformNameFor(
  os: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  hasProc: boolean,
): PlatformName {
  if (os === "win32") return "windows";
  if (env[PLATFORM_SWITCH] === "unix") return "unix";
  return hasProc ? "linux" : "unix";
}

const made = new Map<PlatformName, Platform>();

/**
 * This machine's platform layer. Each implementation is made once; which one is read from
 * the environment on each call, so a test may switch it (vi.stubEnv) for a case.
 */
export function platform(): Platform {
  const name = platformNameFor(process.platform, process.env, procAvailable());
  let chosen = made.get(name);
  if (!chosen) {
    chosen = create(name);
    made.set(name, chosen);
  }
  return chosen;
}

function create(name: PlatformName): Platform {
  switch (name) {
    case "linux":
      return createLinuxPlatform();
    case "unix":
      return createUnixPlatform();
    case "windows":
      return createWindowsPlatform();
  }
}
