import { gradeFramework, NODE_VARIANTS } from "../../support/frameworks.js";

gradeFramework("hono", (dir) => `node ${dir}/hono.mjs`, {
  ...NODE_VARIANTS,
  "secure-cookie": { causeId: "cookie-not-returned", scenario: "shared" },
});
