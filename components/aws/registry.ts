import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Registry, RegistryArgs } from "../api/registry.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsRegistryArgs extends RegistryArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly repository?: Transform<aws.ecr.RepositoryArgs>;
    readonly lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
  };
}

/** A private ECR repository: immutable tags, scanned on push, encrypted, old images expired. */
export class AwsRegistry extends pulumi.ComponentResource implements Registry {
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: AwsRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:aws:Registry", name, {}, opts);
    const repository = new aws.ecr.Repository(
      ...transformed(
        args.transform?.repository,
        `${name}-images`,
        {
          imageTagMutability: "IMMUTABLE",
          // Images are rebuilt from the repository, and GCP's registry goes with its images too;
          // without this `pulumi destroy` stops at the first pushed image.
          forceDelete: true,
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "AES256" }],
        },
        { parent: this },
      ),
    );
    new aws.ecr.LifecyclePolicy(
      ...transformed(
        args.transform?.lifecyclePolicy,
        `${name}-images`,
        {
          repository: repository.name,
          policy: JSON.stringify({
            rules: [
              {
                rulePriority: 1,
                description: "keep the newest images only",
                selection: {
                  tagStatus: "any",
                  countType: "imageCountMoreThan",
                  countNumber: args.keepImages ?? DEFAULTS.keepImages,
                },
                action: { type: "expire" },
              },
            ],
          }),
        },
        { parent: this },
      ),
    );
    this.repositoryUrl = repository.repositoryUrl;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
