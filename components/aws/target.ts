import type { Target } from "../api/platform.js";
import { AWS_DOCS } from "./docs.js";
import { AWS_OWN_KEYS, type AwsSettings, readAwsSettings } from "./settings.js";

/** AWS as stacks/select.ts lists it; the provider SDK loads only with `createPlatform`. */
export const awsTarget: Target<AwsSettings> = {
  provider: "aws",
  title: "AWS",
  ownKeys: AWS_OWN_KEYS,
  readSettings: readAwsSettings,
  // As stacks/Pulumi.aws.yaml: no certificate yet, plain HTTP opted into.
  exampleConfig: { "aws:region": "eu-west-1", "taskflow:allowPlainHttp": "true" },
  createPlatform: async (settings) => (await import("./index.js")).createAwsPlatform(settings),
  docs: AWS_DOCS,
};
