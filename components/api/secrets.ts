import type * as pulumi from "@pulumi/pulumi";

/** A secret value held by the cloud's secret store and handed to containers by reference. */
export interface SecretArgs {
  readonly value: pulumi.Input<string>;
  readonly description: string;
}

/** What a container definition needs to read a secret, never the value itself. */
export interface SecretRef {
  /** Secrets Manager ARN (AWS) or Secret Manager secret id (GCP). */
  readonly id: pulumi.Output<string>;
  /** The version containers read: a version id (AWS) or number (GCP). */
  readonly version: pulumi.Output<string>;
}

export interface Secret extends SecretRef {}
