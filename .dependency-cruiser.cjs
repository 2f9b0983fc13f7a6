// The layer rule of DESIGN.md, enforced by `npm run lint`: data flows one way, so a folder
// imports only from folders in the layers below it (or its own), and nothing imports in a circle.
// Lowest first; folders in one layer do not depend on each other.
const LAYERS = [
  ["errors.ts", "outcome.ts", "invocation.ts", "poll.ts", "batched.ts"],
  ["model"],
  ["events.ts"],
  ["diagnosis"],
  ["processes"],
  ["redis"],
  ["cluster", "proxy", "workspace"],
  ["room"],
  ["client"],
  ["evidence"],
  ["scenarios", "load"],
  ["web"],
  ["lab"],
  ["report"],
  ["commands"],
  ["cli"],
  ["main.ts"],
];

const path = (entry) =>
  entry.endsWith(".ts") ? `^src/${entry.replace(".", "\\.")}$` : `^src/${entry}/`;
const layerOf = (layer) => `(${layer.map(path).join("|")})`;

const upward = LAYERS.flatMap((layer, i) =>
  LAYERS.slice(i + 1).map((higher) => ({
    name: "no-upward-import",
    comment: `${layer.join(", ")} may not import from ${higher.join(", ")}, a layer above it`,
    severity: "error",
    from: { path: layerOf(layer) },
    to: { path: layerOf(higher) },
  })),
);

const sideways = LAYERS.flatMap((layer) =>
  layer.flatMap((a) =>
    layer
      .filter((b) => b !== a)
      .map((b) => ({
        name: "no-sideways-import",
        comment: `${a} and ${b} are in one layer: neither imports the other`,
        severity: "error",
        from: { path: path(a) },
        to: { path: path(b) },
      })),
  ),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "files that import each other, directly or through others",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-in-a-layer",
      comment: "every folder of src/ has its place in LAYERS in .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/", pathNot: LAYERS.flat().map(path).join("|") },
      to: {},
    },
    ...upward,
    ...sideways,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/web/assets/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
