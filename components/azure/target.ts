import type { Target } from "../api/platform.js";
import { AZURE_DOCS } from "./docs.js";
import { AZURE_OWN_KEYS, type AzureSettings, readAzureSettings } from "./settings.js";

/** Azure as stacks/select.ts lists it; the provider SDK loads only with `createPlatform`. */
export const azureTarget: Target<AzureSettings> = {
  provider: "azure",
  title: "Azure",
  ownKeys: AZURE_OWN_KEYS,
  readSettings: readAzureSettings,
  exampleConfig: { "azure-native:location": "westeurope" },
  createPlatform: async (settings) => (await import("./index.js")).createAzurePlatform(settings),
  docs: AZURE_DOCS,
};
