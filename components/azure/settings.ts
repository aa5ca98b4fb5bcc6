import type { ConfigReader, TargetSettings } from "../api/platform.js";

/** Where Azure resources go: a location, and the resource group that holds them. */
export interface AzureSettings {
  /** `azure-native:location`, the Azure provider's own setting. */
  readonly location: string;
  /** `taskflow:resourceGroup`: an existing resource group to deploy into; unset, the stack creates its own. */
  readonly resourceGroup?: string;
}

export const AZURE_OWN_KEYS = ["resourceGroup"] as const;

/** Azure's rule for resource group names: letters, digits, - _ . ( ), up to 90, not ending in a dot. */
const RESOURCE_GROUP = /^[-\w.()]{1,89}[-\w()]$/;

export function readAzureSettings(read: ConfigReader): TargetSettings<AzureSettings> {
  const problems: string[] = [];
  const location = read("azure-native", "location");
  if (!location) {
    problems.push(
      "azure-native:location (unset): is required; set it with `pulumi config set azure-native:location <location>`",
    );
  }
  const resourceGroup = read("taskflow", "resourceGroup");
  if (resourceGroup !== undefined && !RESOURCE_GROUP.test(resourceGroup)) {
    problems.push(
      `taskflow:resourceGroup ("${resourceGroup}"): must be an Azure resource group name (letters, digits, - _ . ( ), not ending in .); set it with \`pulumi config set taskflow:resourceGroup <value>\``,
    );
  }
  if (problems.length > 0 || !location) return { problems };
  return { settings: { location, ...(resourceGroup ? { resourceGroup } : {}) } };
}
