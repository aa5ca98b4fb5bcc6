import type * as pulumi from "@pulumi/pulumi";

/** A private container image repository; images are pushed to it, containers pull from it. */
export interface RegistryArgs {
  /**
   * Images kept; older ones are deleted.
   * @default DEFAULTS.keepImages (20)
   */
  readonly keepImages?: number;
}

export interface Registry {
  /** `docker push` target without a tag, e.g. `123.dkr.ecr.eu-west-1.amazonaws.com/taskflow-prod`. */
  readonly repositoryUrl: pulumi.Output<string>;
}
