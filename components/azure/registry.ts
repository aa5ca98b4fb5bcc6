import * as containerregistry from "@pulumi/azure-native/containerregistry/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Registry, RegistryArgs } from "../api/registry.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import type { AzurePlacement } from "./placement.js";

export interface AzureRegistryArgs extends RegistryArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly registry?: Transform<containerregistry.RegistryArgs>;
  };
}

/**
 * An Azure Container Registry with the admin user off: pushes sign in with `az acr login`
 * (Entra ID) and each Container App pulls with its own identity's AcrPull role. Basic has no
 * retention policy for tagged images, so `keepImages` is left to `az acr run` purge tasks
 * (see the README).
 */
export class AzureRegistry extends pulumi.ComponentResource implements Registry {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly registryId: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;

  constructor(name: string, args: AzureRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:azure:Registry", name, {}, opts);
    const { placement } = args;
    const registry = new containerregistry.Registry(
      ...transformed(
        args.transform?.registry,
        `${name}-acr`,
        {
          registryName: globalName(AZURE_NAME_RULES.registry, placement.suffix, name),
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          sku: { name: "Basic" },
          adminUserEnabled: false,
          anonymousPullEnabled: false,
        },
        { parent: this },
      ),
    );
    this.registryId = registry.id;
    this.loginServer = registry.loginServer;
    this.repositoryUrl = pulumi.interpolate`${registry.loginServer}/taskflow`;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
