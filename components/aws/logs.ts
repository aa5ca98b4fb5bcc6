import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Logs, LogsArgs } from "../api/logs.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsLogsArgs extends LogsArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  };
}

/** A CloudWatch log group per service, with a retention period. */
export class AwsLogs extends pulumi.ComponentResource implements Logs {
  readonly destinations: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: AwsLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:aws:Logs", name, {}, opts);
    for (const service of args.services) {
      const group = new aws.cloudwatch.LogGroup(
        ...transformed(
          args.transform?.logGroup,
          `${name}-${service}`,
          {
            name: `/taskflow/${args.appName}/${service}`,
            retentionInDays: args.retentionDays ?? DEFAULTS.logRetentionDays,
          },
          { parent: this },
        ),
      );
      this.destinations[service] = group.name;
    }
    this.registerOutputs({ destinations: this.destinations });
  }
}
