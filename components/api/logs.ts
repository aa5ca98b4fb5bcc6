import type * as pulumi from "@pulumi/pulumi";

/** Where the services' stdout goes and how long it is kept. */
export interface LogsArgs {
  /**
   * The prefix of the stack's service names. GCP routes the entries of Cloud Run services whose
   * names start with `<appName>-`; AWS names the log groups `/taskflow/<appName>/<service>`.
   */
  readonly appName: string;
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
