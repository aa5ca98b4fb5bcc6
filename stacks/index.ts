import * as pulumi from "@pulumi/pulumi";
import { buildStack } from "./program.js";
import { selectPlatform } from "./select.js";
import { readStackSettings } from "./settings.js";

/**
 * The Pulumi program. `pulumi config set taskflow:cloudProvider <aws|azure|gcp|kubernetes>` picks the cloud;
 * the returned object becomes the stack's outputs.
 */
export default async () => {
  const settings = readStackSettings((namespace, key) => new pulumi.Config(namespace).get(key), pulumi.getStack());
  const platform = await selectPlatform(settings.provider, settings.target);
  return buildStack(platform, settings);
};
