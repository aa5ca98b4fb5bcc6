import * as pulumi from "@pulumi/pulumi";
import { awsTrust } from "./aws.js";
import { azureTrust } from "./azure.js";
import { gcpTrust } from "./gcp.js";
import type { TrustSettings } from "./settings.js";

/**
 * One-time trust setup so deploy.yml can reach a cloud with no stored key. Run once per cloud
 * account or project, from this folder: `pulumi stack init aws && pulumi config set cloud aws
 * && pulumi config set repository <owner/name> && pulumi up`; put its outputs in the
 * repository's variables (see the README).
 */
export default async () => {
  const config = new pulumi.Config();
  const settings: TrustSettings = {
    repository: config.require("repository"),
    environments: (config.get("environments") ?? "staging,production").split(",").map((e) => e.trim()),
    pullRequests: config.getBoolean("pullRequests") ?? true,
  };
  const cloud = config.require("cloud");
  const name = "taskflow";
  switch (cloud) {
    case "aws":
      return awsTrust(name, settings);
    case "gcp": {
      const project = new pulumi.Config("gcp").require("project");
      const { getProject } = await import("@pulumi/gcp/organizations/index.js");
      const { number } = await getProject({ projectId: project });
      return gcpTrust(name, project, String(number), settings);
    }
    case "azure":
      return azureTrust(
        name,
        new pulumi.Config("azure-native").require("subscriptionId"),
        new pulumi.Config("azure-native").require("location"),
        settings,
      );
    default:
      throw new Error(
        `[taskflow] [bootstrap] cloud is "${cloud}"; accepted values: aws, gcp, azure (Kubernetes needs none: deploy.yml reads the KUBECONFIG secret)`,
      );
  }
};
