import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Secret, SecretArgs } from "../api/secrets.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsSecretArgs extends SecretArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly secret?: Transform<aws.secretsmanager.SecretArgs>;
  };
}

/** A Secrets Manager secret; ECS task definitions read it by ARN (`valueFrom`). */
export class AwsSecret extends pulumi.ComponentResource implements Secret {
  readonly id: pulumi.Output<string>;
  readonly version: pulumi.Output<string>;

  constructor(name: string, args: AwsSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:aws:Secret", name, {}, opts);
    const secret = new aws.secretsmanager.Secret(
      ...transformed(
        args.transform?.secret,
        `${name}-secret`,
        { namePrefix: `${name}-`, description: args.description, recoveryWindowInDays: 7 },
        { parent: this },
      ),
    );
    const version = new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      { secretId: secret.id, secretString: pulumi.secret(args.value) },
      { parent: this },
    );
    this.id = secret.arn;
    this.version = version.versionId;
    this.registerOutputs({ id: this.id });
  }
}
