import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import type { Registry, RegistryArgs } from "../api/registry.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";

/** How long an untagged image stays before cleanup deletes it (a protobuf Duration). */
const UNTAGGED_MAX_AGE = "604800s";

export interface GcpRegistryArgs extends RegistryArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly repository?: Transform<gcp.artifactregistry.RepositoryArgs>;
  };
}

/**
 * An Artifact Registry Docker repository with immutable tags and a cleanup policy that runs for
 * real (not as a dry run): untagged images (layers of superseded pushes) older than a week are
 * deleted, and the newest `keepImages` versions are kept whatever their state. A KEEP rule alone
 * deletes nothing, so the DELETE rule is what frees the space.
 */
export class GcpRegistry extends pulumi.ComponentResource implements Registry {
  readonly repositoryUrl: pulumi.Output<string>;

  constructor(name: string, args: GcpRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:gcp:Registry", name, {}, opts);
    const repositoryId = physicalName(GCP_NAMES.id, name, "images");
    const repository = new gcp.artifactregistry.Repository(
      ...transformed(
        args.transform?.repository,
        `${name}-images`,
        {
          repositoryId,
          format: "DOCKER",
          location: args.region,
          project: args.project,
          dockerConfig: { immutableTags: true },
          cleanupPolicyDryRun: false,
          cleanupPolicies: [
            {
              id: "delete-untagged",
              action: "DELETE",
              condition: { tagState: "UNTAGGED", olderThan: UNTAGGED_MAX_AGE },
            },
            {
              id: "keep-newest",
              action: "KEEP",
              mostRecentVersions: { keepCount: args.keepImages ?? DEFAULTS.keepImages },
            },
          ],
        },
        { parent: this },
      ),
    );
    this.repositoryUrl = pulumi.interpolate`${repository.location}-docker.pkg.dev/${repository.project}/${repository.repositoryId}/taskflow`;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }
}
