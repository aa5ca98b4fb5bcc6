import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../api/names.js";
import type { Secret, SecretArgs } from "../api/secrets.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES } from "./names.js";
import type { AzurePlacement } from "./placement.js";

export interface AzureSecretArgs extends SecretArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly secret?: Transform<keyvault.SecretArgs>;
  };
}

/**
 * A secret in the stack's Key Vault. Container Apps reads it as a Key Vault reference (the
 * versioned secret URI) through the app's own identity, which holds Key Vault Secrets User on
 * this secret alone.
 */
export class AzureSecret extends pulumi.ComponentResource implements Secret {
  /** The secret's resource id: what a role assignment is scoped to. */
  readonly id: pulumi.Output<string>;
  /** The versioned secret URI a Key Vault reference names, so every replica reads the same value. */
  readonly version: pulumi.Output<string>;
  /** The secret's name in the vault. */
  readonly secretName: string;

  constructor(name: string, args: AzureSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:azure:Secret", name, {}, opts);
    const { placement } = args;
    this.secretName = physicalName(AZURE_NAME_RULES.keyVaultSecret, name);
    const secret = new keyvault.Secret(
      ...transformed(
        args.transform?.secret,
        `${name}-secret`,
        {
          secretName: this.secretName,
          vaultName: placement.vault.name,
          resourceGroupName: placement.resourceGroupName,
          properties: { value: pulumi.secret(args.value), contentType: args.description },
        },
        { parent: this },
      ),
    );
    this.id = secret.id;
    this.version = secret.properties.apply((p) => p.secretUriWithVersion);
    this.registerOutputs({ id: this.id });
  }
}
