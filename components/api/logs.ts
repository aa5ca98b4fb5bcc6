import type * as pulumi from "@pulumi/pulumi";

/** Where the services' stdout goes and how long it is kept. */
export interface LogsArgs {
  readonly services: readonly string[];
  /**
   * @default DEFAULTS.logRetentionDays (30)
   */
  readonly retentionDays?: number;
}

export interface Logs {
  /** Per service: the CloudWatch log group (AWS) or the log bucket its entries are routed to (GCP). */
  readonly destinations: Readonly<Record<string, pulumi.Output<string>>>;
}
