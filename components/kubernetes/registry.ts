import * as pulumi from "@pulumi/pulumi";
import type { Registry, RegistryArgs } from "../api/registry.js";

export interface KubernetesRegistryArgs extends RegistryArgs {
  /** `taskflow:imageRepository`: any registry the cluster's nodes can pull from. */
  readonly repository?: string;
}

/**
 * A cluster pulls from any registry, so this target creates none: the repository comes from
 * `taskflow:imageRepository` (ECR, ACR, Artifact Registry, GHCR, Harbor...). Image retention
 * (`keepImages`) is that registry's own setting.
 */
export class KubernetesRegistry extends pulumi.ComponentResource implements Registry {
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: KubernetesRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Registry", name, {}, opts);
    this.repositoryUrl = pulumi.output(args.repository ?? "");
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
