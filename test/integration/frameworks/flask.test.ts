import { gradeFramework, pythonWith } from "../../support/frameworks.js";

const python = pythonWith("flask, flask_session, redis");

gradeFramework("flask", (dir) => `${python} ${dir}/flask_app.py`, {
  correct: "pass",
  "secret-per-instance": { causeId: "secret-mismatch", scenario: "shared" },
  "prefix-per-instance": { causeId: "per-instance-prefix", scenario: "shared" },
  // Flask-Session has no memory store: its filesystem store, one folder per instance.
  memory: { causeId: "own-store", scenario: "shared" },
  "other-database": { causeId: "other-database", scenario: "store-evidence" },
  "other-redis": { causeId: "other-redis", scenario: "store-evidence" },
});
