import type * as pulumi from "@pulumi/pulumi";
import type { SubscriptionRef, TopicRef } from "./messaging.js";
import type { SecretRef } from "./secrets.js";

/** One long-running HTTP service: a container image, scaled between bounds, health-checked. */
export interface ContainerServiceArgs {
  /** The logical service name from services/platform.ts. */
  readonly service: string;
  readonly image: pulumi.Input<string>;
  /**
   * Arguments after the image's entry point: which service bundle to run.
   * @default the image's own command
   */
  readonly command?: readonly string[];
  readonly port: number;
  /** vCPU and MiB the service asks for; each cloud rounds up to a size it offers. */
  readonly cpu: number;
  readonly memoryMb: number;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Average CPU utilisation, in percent, the autoscaler aims for. */
  readonly cpuTargetPercent: number;
  readonly livenessPath: string;
  /** New instances get traffic only once this answers 2xx. */
  readonly readinessPath: string;
  /** Reachable from the internet; otherwise only from inside the network. */
  readonly public: boolean;
  /** Plain, non-secret environment variables. */
  readonly environment: Readonly<Record<string, pulumi.Input<string>>>;
  /** Environment variables filled from the secret store at start-up, by reference. */
  readonly secretEnvironment: Readonly<Record<string, SecretRef>>;
  /** The only topics this service's identity may publish to. */
  readonly publishes: readonly TopicRef[];
  /** The only subscriptions this service's identity may consume from (and dead-letter to). */
  readonly consumes: readonly SubscriptionRef[];
  /**
   * The broker adapter's health check lists topics, which no cloud lets a policy scope to one
   * resource; services that use the broker get that listing (metadata only) and nothing more.
   * @default true when the service publishes or consumes
   */
  readonly listsTopics?: boolean;
  /**
   * The data services it opens connections to. Where the network admits clients by membership
   * (AWS security groups) it joins only these services' client groups, so a service that does
   * not use the database cannot reach it.
   * @default none
   */
  readonly connectsTo?: { readonly database?: boolean; readonly cache?: boolean };
  /** Where its logs go (see Logs.destinations). */
  readonly logDestination: pulumi.Output<string>;
  /**
   * Seconds a new instance may take to become ready.
   * @default DEFAULTS.startupGraceSeconds (60)
   */
  readonly startupGraceSeconds?: number;
}

export interface ContainerService {
  /** Base URL: public for a public service, reachable only inside the network otherwise. */
  readonly url: pulumi.Output<string>;
  /** The identity the service runs as: an IAM task role ARN (AWS), a service account email (GCP). */
  readonly identity: pulumi.Output<string>;
  /** The service's name in the cloud console. */
  readonly serviceName: pulumi.Output<string>;
}
