import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (installed by `npm run prerequisites`), or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A headless Chromium for one test file; fails with the install line when there is none. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: run \`npm run prerequisites\` (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/** Where screenshots go: test-results/ always, docs/ (the README's) with UPDATE_SCREENSHOTS=1. */
export async function screenshotPaths(name: string): Promise<string[]> {
  const root = join(import.meta.dirname, "../..");
  await mkdir(join(root, "test-results"), { recursive: true });
  const paths = [join(root, "test-results", name)];
  if (process.env.UPDATE_SCREENSHOTS) paths.push(join(root, "docs", name));
  return paths;
}
