// Loaded with `node --import` into every instance of a bundled exercise, so that the
// attendee's copy (outside this package) can import express, express-session, ioredis ...
// from the packages installed with session-lab: no `npm install` in the workspace. It also
// writes Node's compile cache once the app answers, where Node can (compile-cache.mjs).
import module from "node:module";
import "./compile-cache.mjs";
import { resolveSync } from "./resolve-hooks.mjs";

// Node 22.15+ runs the hook in the app's own thread. module.register (older Nodes) starts a
// loader thread for it: ~0.1 s of CPU per instance start on Node 22 (a quarter of an Express
// app's start), ~0.05 s on Node 20.
if (typeof module.registerHooks === "function") module.registerHooks({ resolve: resolveSync });
else module.register("./resolve-hooks.mjs", import.meta.url);
