import { gradeFramework, NODE_VARIANTS } from "../../support/frameworks.js";

gradeFramework("fastify", (dir) => `node ${dir}/fastify.mjs`, {
  ...NODE_VARIANTS,
  "secure-cookie": { causeId: "no-cookie", scenario: "shared" },
});
