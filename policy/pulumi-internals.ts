import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The SDK's runtime settings module, for the monitor the mocks installed (not part of its public types). */
export const pulumiSettings = require("@pulumi/pulumi/runtime/settings.js") as { getMonitor(): unknown };
