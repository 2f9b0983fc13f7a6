import { gradeFramework, NODE_VARIANTS } from "../../support/frameworks.js";

gradeFramework("koa", (dir) => `node ${dir}/koa.mjs`, {
  ...NODE_VARIANTS,
  "secure-cookie": { causeId: "cookie-not-returned", scenario: "shared" },
});
