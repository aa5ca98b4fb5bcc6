import { CLOUD_PROVIDERS, type CloudProvider, type Platform } from "../components/api/platform.js";

/**
 * One line per cloud. Each loads its folder only when chosen, so a stack never loads another
 * cloud's provider SDK. A provider mapped to undefined is part of the design but not built yet.
 */
const PLATFORMS: Record<CloudProvider, (() => Promise<Platform>) | undefined> = {
  aws: async () => (await import("../components/aws/index.js")).aws,
  gcp: async () => (await import("../components/gcp/index.js")).gcp,
  azure: async () => (await import("../components/azure/index.js")).createAzurePlatform(),
  kubernetes: async () => (await import("../components/kubernetes/index.js")).kubernetes(),
};

export const BUILT_PROVIDERS = CLOUD_PROVIDERS.filter((p) => PLATFORMS[p] !== undefined);

export async function selectPlatform(provider: string): Promise<Platform> {
  const accepted = `accepted values: ${BUILT_PROVIDERS.join(", ")}`;
  if (!(CLOUD_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(
      `[taskflow] [stack] taskflow:cloudProvider is "${provider}", which is not a cloud provider; ${accepted}. Set it with \`pulumi config set taskflow:cloudProvider aws\``,
    );
  }
  const load = PLATFORMS[provider as CloudProvider];
  if (!load) {
    throw new Error(
      `[taskflow] [stack] taskflow:cloudProvider is "${provider}", whose components (components/${provider}/) are not built yet; ${accepted}`,
    );
  }
  return load();
}
