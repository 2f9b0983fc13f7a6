import { gradeFramework, pythonWith } from "../../support/frameworks.js";

const python = pythonWith("aiohttp, aiohttp_session, redis");

// aiohttp-session's cookie is not signed: there is no secret to get wrong.
gradeFramework("aiohttp", (dir) => `${python} ${dir}/aiohttp_app.py`, {
  correct: "pass",
  "prefix-per-instance": { causeId: "per-instance-prefix", scenario: "shared" },
  memory: { causeId: "memory-store", scenario: "shared" },
  "other-database": { causeId: "other-database", scenario: "store-evidence" },
  "other-redis": { causeId: "other-redis", scenario: "store-evidence" },
});
