#!/usr/bin/env node
// Part of `npm run build`: the command line as one ES module, dist/session-lab.mjs, with its
// dependencies inside. Node then reads one file at start instead of a few hundred (the lab's
// modules, undici, ioredis, tough-cookie, commander): about 0.1 s less on every command, which
// is a tenth of a `check`. tsc's dist/ stays as it is for the benchmark scripts.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/main.js"],
  outfile: "dist/session-lab.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // undici's cookie helpers, at their module's top level, also accept Node's own Headers class
  // by reading globalThis.Headers: that one read makes Node load its internal copy of undici
  // (fetch and all), ~20 ms of CPU at every command that loads undici (50 ms in a bare Node).
  // The lab never calls those helpers (tough-cookie keeps its cookies), so the read is left out.
  define: { "globalThis.Headers": "undefined" },
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
