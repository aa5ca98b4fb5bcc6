import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { physicalName } from "../api/names.js";
import type { Secret, SecretArgs } from "../api/secrets.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";

export interface GcpSecretArgs extends SecretArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly secret?: Transform<gcp.secretmanager.SecretArgs>;
  };
}

/** A Secret Manager secret and its value; Cloud Run reads it by id and version (`secretKeyRef`). */
export class GcpSecret extends pulumi.ComponentResource implements Secret {
  readonly id: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: GcpSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:gcp:Secret", name, {}, opts);
    const secret = new gcp.secretmanager.Secret(
      ...transformed(
        args.transform?.secret,
        `${name}-secret`,
        {
          secretId: physicalName(GCP_NAMES.id, name),
          project: args.project,
          replication: { auto: {} },
          annotations: { description: args.description },
        },
        { parent: this },
      ),
    );
    const version = new gcp.secretmanager.SecretVersion(
      `${name}-value`,
      { secret: secret.id, secretData: pulumi.secret(args.value) },
      { parent: this },
    );
    this.id = secret.secretId;
    this.version = version.version;
    this.registerOutputs({ id: this.id });
  }
}
