// Loaded with `node --import` into every instance of a bundled exercise, so that the
// attendee's copy (outside this package) can import express, express-session, ioredis ...
// from the packages installed with session-lab: no `npm install` in the workspace.
import { register } from "node:module";

register("./resolve-hooks.mjs", import.meta.url);
