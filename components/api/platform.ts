import type * as pulumi from "@pulumi/pulumi";
import { CLOUD_PROVIDERS as RUNTIME_PROVIDERS, type CloudProvider as RuntimeProvider } from "../../adapters/select.js";
import type { Cache, CacheArgs } from "./cache.js";
import type { Cluster, ClusterArgs } from "./cluster.js";
import type { Database, DatabaseArgs } from "./database.js";
import type { Logs, LogsArgs } from "./logs.js";
import type { Messaging, MessagingArgs } from "./messaging.js";
import type { Network, NetworkArgs } from "./network.js";
import type { Registry, RegistryArgs } from "./registry.js";
import type { Secret, SecretArgs } from "./secrets.js";

/** Where a stack deploys: every runtime provider except local mode (adapters/select.ts lists them). */
export type CloudProvider = Exclude<RuntimeProvider, "local">;
export const CLOUD_PROVIDERS = RUNTIME_PROVIDERS.filter((p): p is CloudProvider => p !== "local") as [
  CloudProvider,
  ...CloudProvider[],
];

/** Creates one component; `name` prefixes every child's name. */
export type ComponentFactory<Args, Result> = (
  name: string,
  args: Args,
  opts?: pulumi.ComponentResourceOptions,
) => Result & pulumi.ComponentResource;

/** Reads one stack config value: `namespace:key`, or undefined when unset. */
export type ConfigReader = (namespace: string, key: string) => string | undefined;

/** The shared settings a target's own rules may depend on. */
export interface SharedSettings {
  /** `taskflow:domain`, the public service's custom domain, when set. */
  readonly domain?: string;
}

/** A target's own settings as its reader found them: what it places resources with, or every problem. */
export type TargetSettings<Own> =
  | { readonly settings: Own; readonly problems?: undefined }
  | { readonly settings?: undefined; readonly problems: readonly string[] };

/** The words a target contributes to the generated docs (docs/architecture.md, docs/parity.md). */
export interface TargetDocs {
  /** Its row of the architecture table. */
  readonly architecture: {
    readonly compute: string;
    readonly database: string;
    readonly cache: string;
    readonly broker: string;
  };
  /** How it provides each capability of the parity report, by the report's row name. */
  readonly realisation: Readonly<Record<RealisationRow, string>>;
  /** Differences from the other targets that do not change a capability. */
  readonly differences: readonly string[];
  /** What the other targets have and this one does not yet, each with its plan. */
  readonly gaps: readonly string[];
}

/** The rows of the parity report's "how each capability is provided" table. */
export const REALISATION_ROWS = [
  "compute",
  "ingress",
  "scaling",
  "health checks",
  "database / cache access",
  "publishes",
  "consumes",
  "may dead-letter",
  "may list topics (broker health check)",
  "secret references",
  "subscription DLQ",
  "database",
  "cache",
] as const;
export type RealisationRow = (typeof REALISATION_ROWS)[number];

/**
 * One deployment target, as its folder under components/ describes it in `target.ts`: how it
 * reads its own stack settings (a region, a project, a namespace: whatever the target has, and
 * nothing it has not), and how it builds its `Platform` from them. stacks/select.ts lists the
 * targets, one line each; loading a target's description loads none of its provider SDK.
 */
export interface Target<Own> {
  readonly provider: CloudProvider;
  /** The target's name in messages and generated docs: "AWS". */
  readonly title: string;
  /** The `taskflow:` config keys only this target reads; set on another target, they are refused. */
  readonly ownKeys: readonly string[];
  /** Reads and checks the target's own settings, reporting every problem at once. */
  readSettings(read: ConfigReader, shared: SharedSettings): TargetSettings<Own>;
  /**
   * A configuration the target deploys with, with example values for every setting it
   * requires: what a stack under Pulumi mocks runs with.
   */
  readonly exampleConfig: Readonly<Record<string, string>>;
  /** Builds the platform for one stack run from the target's settings; loads its provider SDK. */
  createPlatform(settings: Own): Promise<Platform>;
  readonly docs: TargetDocs;
}

/**
 * One cloud. Each target builds one object that satisfies this from its own settings, so the
 * compiler lists what a new cloud still lacks; where and how it places resources stays inside
 * the target.
 */
export interface Platform {
  readonly provider: CloudProvider;
  readonly network: ComponentFactory<NetworkArgs, Network>;
  readonly database: ComponentFactory<DatabaseArgs, Database>;
  readonly cache: ComponentFactory<CacheArgs, Cache>;
  readonly messaging: ComponentFactory<MessagingArgs, Messaging>;
  readonly registry: ComponentFactory<RegistryArgs, Registry>;
  readonly secret: ComponentFactory<SecretArgs, Secret>;
  readonly logs: ComponentFactory<LogsArgs, Logs>;
  readonly cluster: ComponentFactory<ClusterArgs, Cluster>;
  /** Environment every container on this target receives (region, project), beside the env contract. */
  providerEnvironment(): Record<string, string>;
}
