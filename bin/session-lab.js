#!/usr/bin/env node
import module from "node:module";

// Node 22.1+ keeps the lab's compiled code between runs (in the OS's temp folder): every
// command starts sooner. Older Nodes have no such function and start as before.
module.enableCompileCache?.();
const { main } = await import("../dist/session-lab.mjs");

await main();
