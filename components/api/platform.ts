import type * as pulumi from "@pulumi/pulumi";
import type { CloudProvider as RuntimeProvider } from "../../adapters/core/config.js";
import type { Cache, CacheArgs } from "./cache.js";
import type { Cluster, ClusterArgs } from "./cluster.js";
import type { Database, DatabaseArgs } from "./database.js";
import type { Logs, LogsArgs } from "./logs.js";
import type { Messaging, MessagingArgs } from "./messaging.js";
import type { Network, NetworkArgs } from "./network.js";
import type { Registry, RegistryArgs } from "./registry.js";
import type { Secret, SecretArgs } from "./secrets.js";

/** Where a stack deploys: every runtime provider except local mode. */
export type CloudProvider = Exclude<RuntimeProvider, "local">;
export const CLOUD_PROVIDERS = ["aws", "azure", "gcp", "kubernetes"] as const satisfies readonly CloudProvider[];

/** Creates one component; `name` prefixes every child's name. */
export type ComponentFactory<Args, Result> = (
  name: string,
  args: Args,
  opts?: pulumi.ComponentResourceOptions,
) => Result & pulumi.ComponentResource;

/** Settings every cloud needs to place resources, read from stack config. */
export interface PlacementArgs {
  /** AWS region, GCP region or Azure location. */
  readonly region: string;
  /** GCP project id; unused on AWS (the account comes from credentials). */
  readonly project?: string;
  /** Azure: an existing resource group to deploy into; unset, the stack creates its own. */
  readonly resourceGroup?: string;
}

/**
 * One cloud. Each folder under components/ exports one object that satisfies this, so the
 * compiler lists what a new cloud still lacks.
 */
export interface Platform {
  readonly provider: CloudProvider;
  readonly network: ComponentFactory<NetworkArgs & PlacementArgs, Network>;
  readonly database: ComponentFactory<DatabaseArgs & PlacementArgs, Database>;
  readonly cache: ComponentFactory<CacheArgs & PlacementArgs, Cache>;
  readonly messaging: ComponentFactory<MessagingArgs & PlacementArgs, Messaging>;
  readonly registry: ComponentFactory<RegistryArgs & PlacementArgs, Registry>;
  readonly secret: ComponentFactory<SecretArgs & PlacementArgs, Secret>;
  readonly logs: ComponentFactory<LogsArgs & PlacementArgs, Logs>;
  readonly cluster: ComponentFactory<ClusterArgs & PlacementArgs, Cluster>;
  /** Environment every container on this cloud receives (region, project), beside the env contract. */
  providerEnvironment(placement: PlacementArgs): Record<string, string>;
}
