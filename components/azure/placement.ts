import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import type { AzureSettings } from "./settings.js";

/** Days Key Vault keeps a deleted vault or secret recoverable (7 to 90). */
export const SOFT_DELETE_DAYS = 90;

export interface AzurePlacementArgs extends AzureSettings {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly resourceGroup?: Transform<resources.ResourceGroupArgs>;
    readonly vault?: Transform<keyvault.VaultArgs>;
  };
}

/**
 * What every Azure component of one stack shares: the resource group (the stack's own, or
 * an existing one named by taskflow:resourceGroup), the location, the subscription and tenant
 * the deployment signs in to, a random suffix for the names Azure wants globally unique, and
 * the Key Vault every secret lives in (RBAC authorisation, soft delete, purge protection).
 */
export class AzurePlacement extends pulumi.ComponentResource {
  readonly location: string;
  readonly resourceGroupName: pulumi.Output<string>;
  /** `/subscriptions/<id>/resourceGroups/<name>`: the prefix of every resource id. */
  readonly resourceGroupId: pulumi.Output<string>;
  readonly subscriptionId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
  readonly suffix: pulumi.Output<string>;
  readonly vault: keyvault.Vault;

  constructor(
    readonly name: string,
    args: AzurePlacementArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:Placement", name, {}, opts);
    this.location = args.location;
    const client = authorization.getClientConfigOutput({ parent: this });
    this.subscriptionId = client.subscriptionId;
    this.tenantId = client.tenantId;
    this.suffix = new random.RandomString(
      `${name}-suffix`,
      { length: 6, lower: true, upper: false, numeric: true, special: false },
      { parent: this },
    ).result;

    if (args.resourceGroup) {
      const existing = resources.getResourceGroupOutput({ resourceGroupName: args.resourceGroup }, { parent: this });
      this.resourceGroupName = existing.name;
      this.resourceGroupId = existing.id;
    } else {
      const group = new resources.ResourceGroup(
        ...transformed(
          args.transform?.resourceGroup,
          `${name}-rg`,
          { resourceGroupName: `${name}-rg`, location: this.location },
          { parent: this },
        ),
      );
      this.resourceGroupName = group.name;
      this.resourceGroupId = group.id;
    }

    this.vault = new keyvault.Vault(
      ...transformed(
        args.transform?.vault,
        `${name}-kv`,
        {
          vaultName: globalName(AZURE_NAME_RULES.keyVault, this.suffix, name),
          resourceGroupName: this.resourceGroupName,
          location: this.location,
          properties: {
            tenantId: this.tenantId,
            sku: { family: "A", name: "standard" },
            // Who may read a secret is a role assignment on that secret, never a vault-wide access policy.
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: SOFT_DELETE_DAYS,
            enablePurgeProtection: true,
          },
        },
        { parent: this },
      ),
    );
    this.registerOutputs({ resourceGroupName: this.resourceGroupName });
  }

  /** The id a child of this resource group has: `/subscriptions/.../providers/<type>/<name>`. */
  resourceId(type: string, name: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`${this.resourceGroupId}/providers/${type}/${name}`;
  }
}
