/*
 * Postbag's layers, checked in `npm test` (scripts/check-layers.mjs runs dependency-cruiser with this
 * file). A folder of `src/` may import only folders in layers BELOW its own: never a folder above,
 * nor a sibling in the same layer. The order, lowest first, is written down in docs/architecture.md
 * ("Layers"); change it there and here together.
 *
 * dependency-cruiser 17 cannot read TypeScript 7 itself, so it parses with @swc/core
 * (`parser: "swc"`) and keeps type-only imports (`tsPreCompilationDeps`): a type import is a
 * dependency too.
 */
const layers = [
  ["time", "errors", "metrics"],
  ["config"],
  ["db"],
  ["email", "network"],
  ["tenants"],
  ["accounts"],
  ["audience", "messages"],
  ["credits", "tracking", "domains"],
  ["delivery", "auth"],
  ["transports"],
  ["mailboxes", "announcements", "reports", "sandbox"],
  ["scheduler"],
  ["http"],
  ["main"],
];

const known = layers.flat();

/** One rule per folder: everything above it, and its siblings in the same layer, is out of bounds. */
const layerRules = layers.flatMap((layer, i) =>
  layer.map((folder) => {
    const forbidden = [...layers.slice(i + 1).flat(), ...layer.filter((f) => f !== folder)];
    return {
      name: `layer-${folder}`,
      comment: `src/${folder}/ (layer ${i}) may import only folders of lower layers; see docs/architecture.md`,
      severity: "error",
      from: { path: `^src/${folder}/` },
      to: { path: forbidden.length > 0 ? `^src/(${forbidden.join("|")})/` : "^$" },
    };
  }),
);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "folder-without-layer",
      comment: "every folder of src/ has a place in the layer list above (and in docs/architecture.md)",
      severity: "error",
      from: { path: "^src/", pathNot: `^src/(${known.join("|")})/` },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no import cycles, inside a folder or across folders",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // Tests import whatever they exercise; the layers are about the product's code.
    exclude: { path: "\\.test\\.ts$" },
  },
};
