import type { Target } from "../api/platform.js";
import { GCP_DOCS } from "./docs.js";
import { type GcpSettings, readGcpSettings } from "./settings.js";

/** GCP as stacks/select.ts lists it; the provider SDK loads only with `createPlatform`. */
export const gcpTarget: Target<GcpSettings> = {
  provider: "gcp",
  title: "GCP",
  ownKeys: [],
  readSettings: readGcpSettings,
  exampleConfig: { "gcp:region": "europe-west1", "gcp:project": "taskflow-test" },
  createPlatform: async (settings) => (await import("./index.js")).createGcpPlatform(settings),
  docs: GCP_DOCS,
};
