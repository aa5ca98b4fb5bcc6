// Import rules, checked by `npm run lint`. The layers, top to bottom:
//   bench/ scripts/ policy/ cost/  ->  stacks/  ->  components/ services/ web/  ->  adapters/
// An import may point down or stay inside its own folder; never up, never sideways between
// components/, services/ and web/, and never in a circle.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Files that import each other cannot be read, tested or moved one at a time.",
      from: {},
      to: { circular: true },
    },
    {
      name: "adapters-are-the-ground",
      severity: "error",
      comment: "adapters/ is the bottom layer: it imports nothing of the project above it.",
      from: { path: "^adapters/" },
      to: { path: "^(components|services|web|stacks|scripts|bench|policy|cost)/" },
    },
    {
      name: "components-take-only-their-own-args",
      severity: "error",
      comment: "components/ sits below stacks/ and beside services/ and web/: it imports only itself and adapters/.",
      from: { path: "^components/" },
      to: { path: "^(services|web|stacks|scripts|bench|policy|cost)/" },
    },
    {
      name: "services-stay-below-stacks",
      severity: "error",
      comment: "services/ sits below stacks/ and beside components/ and web/.",
      from: { path: "^services/" },
      to: { path: "^(components|web|stacks|scripts|bench|policy|cost)/" },
    },
    {
      name: "web-stays-below-stacks",
      severity: "error",
      comment:
        "web/ sits below stacks/ and beside components/ and services/. Its end-to-end tests (web/e2e/) start the whole system, as scripts do.",
      from: { path: "^web/", pathNot: "^web/e2e/" },
      to: { path: "^(components|services|stacks|scripts|bench|policy|cost)/" },
    },
    {
      name: "stacks-stay-below-scripts",
      severity: "error",
      comment: "stacks/ assembles the program; the scripts and benchmarks that use it sit above it.",
      from: { path: "^stacks/" },
      to: { path: "^(scripts|bench|policy|cost)/" },
    },
    {
      name: "scripts-do-not-import-bench",
      severity: "error",
      comment: "Benchmarks may use a script; a script never needs a benchmark.",
      from: { path: "^scripts/" },
      to: { path: "^bench/" },
    },
    {
      name: "no-adapter-imports-another",
      severity: "error",
      comment:
        "An adapter folder uses only adapters/core/ (the contract) and, in its tests, adapters/testing/. " +
        "Only the registry (adapters/select.ts) knows every adapter.",
      from: { path: "^adapters/([^/]+)/", pathNot: "^adapters/(core|testing)/" },
      to: { path: "^adapters/", pathNot: ["^adapters/$1/", "^adapters/core/", "^adapters/testing/"] },
    },
    {
      name: "contract-imports-no-adapter",
      severity: "error",
      comment: "adapters/core/ is the contract every adapter implements; it knows no adapter.",
      from: { path: "^adapters/core/" },
      to: { path: "^adapters/", pathNot: ["^adapters/core/", "^adapters/testing/"] },
    },
    {
      name: "only-tests-use-the-test-kits",
      severity: "error",
      comment:
        "adapters/testing/ and components/testing/ hold shared test suites and fakes; product code never needs them.",
      from: {
        path: "^(adapters|components)/",
        pathNot: ["\\.test\\.ts$", "/testing/", "/test-server\\.ts$", "/private-node\\.ts$", "/stack-reader\\.ts$"],
      },
      to: { path: "^(adapters|components)/testing/" },
    },
    {
      name: "neutral-api-names-no-cloud",
      severity: "error",
      comment: "components/api/ is what every cloud shares; a cloud's own tables and rules live in its folder.",
      from: { path: "^components/api/", pathNot: "\\.test\\.ts$" },
      to: { path: "^components/", pathNot: "^components/api/" },
    },
    {
      name: "no-cloud-imports-another",
      severity: "error",
      comment: "Each cloud folder builds on components/api/ alone, so one can be added or removed without the others.",
      from: { path: "^components/([^/]+)/", pathNot: "^components/(api|testing)/" },
      to: { path: "^components/", pathNot: ["^components/$1/", "^components/api/", "^components/testing/"] },
    },
    {
      name: "domain-knows-no-http",
      severity: "error",
      comment: "Use cases in a service's domain/ are called from HTTP, the broker or a test alike.",
      from: { path: "^services/[^/]+/domain/" },
      to: { path: ["^node_modules/express/", "^services/[^/]+/http/"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|\\.taskflow|docs|bench/results)/|^\\.dependency-cruiser\\.cjs$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
