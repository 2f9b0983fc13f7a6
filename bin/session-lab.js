#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// No module.enableCompileCache here: on Node 22 and 24 it wrote ~230 KB to the OS's temp
// folder and started no command sooner (--version and a short check, 10 alternated runs each,
// within 1%); what it keeps of the 2.3 MB bundle is its code as first compiled, the top level.

// undici reads HTTP with llhttp compiled to WebAssembly. V8 compiles it a second time with its
// optimizing compiler, in the background, once it has run a little: in a check that is ~0.2 s
// of CPU taken from the apps booting and ~30 MB of memory at the lab's peak, for no faster
// proxying (the proxy's time goes to the kernel's socket writes). The baseline code is kept.
// Set before undici compiles it; both flags exist in Node 20, 22 and 24.
setFlagsFromString("--no-wasm-tier-up");
setFlagsFromString("--no-wasm-dynamic-tiering");
const { main } = await import("../dist/session-lab.mjs");

await main();
