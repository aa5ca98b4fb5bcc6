import { CLOUD_PROVIDERS, type CloudProvider, type Platform, type Target } from "../components/api/platform.js";
import { awsTarget } from "../components/aws/target.js";
import { azureTarget } from "../components/azure/target.js";
import { gcpTarget } from "../components/gcp/target.js";
import { kubernetesTarget } from "../components/kubernetes/target.js";

/**
 * The targets: one line per cloud, each its folder's `target.ts`. Loading one loads none of
 * its provider SDK; that happens in `createPlatform`, for the chosen target only. A provider
 * mapped to undefined is part of the design but not built yet.
 */
const TARGETS: Record<CloudProvider, Target<unknown> | undefined> = {
  aws: awsTarget,
  azure: azureTarget,
  gcp: gcpTarget,
  kubernetes: kubernetesTarget,
};

export const BUILT_PROVIDERS = CLOUD_PROVIDERS.filter((p) => TARGETS[p] !== undefined);

const accepted = () => `accepted values: ${BUILT_PROVIDERS.join(", ")}`;

/** The target `provider` names; a clear error for an unknown or unbuilt one. */
export function selectTarget(provider: string): Target<unknown> {
  if (!(CLOUD_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(
      `[taskflow] [stack] taskflow:cloudProvider is "${provider}", which is not a cloud provider; ${accepted()}. Set it with \`pulumi config set taskflow:cloudProvider aws\``,
    );
  }
  const target = TARGETS[provider as CloudProvider];
  if (!target) {
    throw new Error(
      `[taskflow] [stack] taskflow:cloudProvider is "${provider}", whose components (components/${provider}/) are not built yet; ${accepted()}`,
    );
  }
  return target;
}

/** Every built target, in the order of CLOUD_PROVIDERS. */
export function builtTargets(): Target<unknown>[] {
  return BUILT_PROVIDERS.map(selectTarget);
}

/** Builds the platform of `provider` from the target settings its reader returned. */
export async function selectPlatform(provider: string, targetSettings: unknown): Promise<Platform> {
  return selectTarget(provider).createPlatform(targetSettings);
}
