import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Logs, LogsArgs } from "../api/logs.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";

export interface GcpLogsArgs extends LogsArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly bucket?: Transform<gcp.logging.ProjectBucketConfigArgs>;
    readonly sink?: Transform<gcp.logging.ProjectSinkArgs>;
  };
}

/**
 * Cloud Run writes to Cloud Logging on its own; this gives the application a log bucket with
 * its own retention and routes the services' entries into it.
 */
export class GcpLogs extends pulumi.ComponentResource implements Logs {
  readonly destinations: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: GcpLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:gcp:Logs", name, {}, opts);
    const bucket = new gcp.logging.ProjectBucketConfig(
      ...transformed(
        args.transform?.bucket,
        `${name}-bucket`,
        {
          project: args.project,
          location: "global",
          bucketId: physicalName(GCP_NAMES.id, name),
          retentionDays: args.retentionDays ?? DEFAULTS.logRetentionDays,
        },
        { parent: this },
      ),
    );
    const prefix = physicalName(GCP_NAMES.cloudRun, args.appName);
    new gcp.logging.ProjectSink(
      ...transformed(
        args.transform?.sink,
        `${name}-sink`,
        {
          project: args.project,
          destination: pulumi.interpolate`logging.googleapis.com/${bucket.id}`,
          filter: `resource.type="cloud_run_revision" AND resource.labels.service_name=~"^${prefix}-"`,
          uniqueWriterIdentity: true,
        },
        { parent: this },
      ),
    );
    for (const service of args.services) this.destinations[service] = bucket.id;
    this.registerOutputs({ destinations: this.destinations });
  }
}
