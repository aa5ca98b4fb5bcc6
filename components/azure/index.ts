import * as pulumi from "@pulumi/pulumi";
import type { Platform } from "../api/platform.js";
import { AzureCache } from "./cache.js";
import { AzureCluster } from "./cluster.js";
import { AzureDatabase } from "./database.js";
import { AzureLogs } from "./logs.js";
import { AzureMessaging } from "./messaging.js";
import { AzureNetwork } from "./network.js";
import { AzurePlacement } from "./placement.js";
import { AzureRegistry } from "./registry.js";
import { AzureSecret } from "./secrets.js";
import type { AzureSettings } from "./settings.js";

/**
 * Azure: Container Apps, PostgreSQL Flexible Server, Azure Managed Redis, Service Bus, ACR,
 * Key Vault, Log Analytics. Unlike the other clouds, every component of a stack shares a
 * resource group and a Key Vault, and the cluster needs the registry and the workspace, so
 * each program run gets its own platform object holding them (see stacks/select.ts).
 */
export function createAzurePlatform(settings: AzureSettings): Platform {
  let placement: AzurePlacement | undefined;
  let registry: AzureRegistry | undefined;
  let logs: AzureLogs | undefined;
  let database: AzureDatabase | undefined;
  /** The stack's resource group and vault, made on the first component (the network, in stacks/program.ts). */
  const place = (): AzurePlacement => {
    // Named like the stack's other resources: `taskflow-<stack>` (stacks/settings.ts).
    placement ??= new AzurePlacement(`${pulumi.getProject()}-${pulumi.getStack()}`, settings);
    return placement;
  };
  const needed = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`[taskflow] [azure] the cluster needs the ${what}, which must be created before it`);
    return value;
  };
  return {
    provider: "azure",
    network: (name, args, opts) => new AzureNetwork(name, { ...args, placement: place() }, opts),
    database: (name, args, opts) => {
      database = new AzureDatabase(name, { ...args, placement: place() }, opts);
      return database;
    },
    cache: (name, args, opts) => new AzureCache(name, { ...args, placement: place() }, opts),
    messaging: (name, args, opts) => new AzureMessaging(name, { ...args, placement: place() }, opts),
    registry: (name, args, opts) => {
      registry = new AzureRegistry(name, { ...args, placement: place() }, opts);
      return registry;
    },
    secret: (name, args, opts) => new AzureSecret(name, { ...args, placement: place() }, opts),
    logs: (name, args, opts) => {
      // The server's log (connections included) goes to the workspace, as RDS exports it to CloudWatch.
      const sources = database ? [{ name: "db", resourceUri: database.serverId, category: "PostgreSQLLogs" }] : [];
      logs = new AzureLogs(name, { ...args, placement: place(), sources }, opts);
      return logs;
    },
    cluster: (name, args, opts) =>
      new AzureCluster(
        name,
        {
          ...args,
          placement: place(),
          registry: needed(registry, "registry"),
          logs: needed(logs, "log workspace"),
        },
        opts,
      ),
    // What Azure adds per service (AZURE_CLIENT_ID, SERVICEBUS_NAMESPACE) comes from the cluster and the broker.
    providerEnvironment: () => ({}),
  } satisfies Platform;
}

export { AzureContainerService } from "./container-service.js";
export {
  AzureCache,
  AzureCluster,
  AzureDatabase,
  AzureLogs,
  AzureMessaging,
  AzureNetwork,
  AzurePlacement,
  AzureRegistry,
  AzureSecret,
};
