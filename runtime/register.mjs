// Loaded with `node --import` into every instance of a bundled exercise, so that the
// attendee's copy (outside this package) can import express, express-session, ioredis ...
// from the packages installed with session-lab: no `npm install` in the workspace. It also
// writes Node's compile cache once the app answers, where Node can (compile-cache.mjs).
import { register } from "node:module";
import "./compile-cache.mjs";

register("./resolve-hooks.mjs", import.meta.url);
