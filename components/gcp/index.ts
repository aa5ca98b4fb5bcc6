import type { Platform } from "../api/platform.js";
import { GcpCache } from "./cache.js";
import { GcpCluster } from "./cluster.js";
import { GcpDatabase } from "./database.js";
import { GcpLogs } from "./logs.js";
import { GcpMessaging } from "./messaging.js";
import { GcpNetwork } from "./network.js";
import { GcpRegistry } from "./registry.js";
import { GcpSecret } from "./secrets.js";
import type { GcpSettings } from "./settings.js";

/**
 * GCP: Cloud Run v2, Cloud SQL, Memorystore, Pub/Sub, Artifact Registry, Secret Manager, Cloud
 * Logging, every component in the stack's project and region.
 */
export function createGcpPlatform(settings: GcpSettings): Platform {
  const placement = { region: settings.region, project: settings.project };
  return {
    provider: "gcp",
    network: (name, args, opts) => new GcpNetwork(name, { ...args, ...placement }, opts),
    database: (name, args, opts) => new GcpDatabase(name, { ...args, ...placement }, opts),
    cache: (name, args, opts) => new GcpCache(name, { ...args, ...placement }, opts),
    messaging: (name, args, opts) => new GcpMessaging(name, { ...args, ...placement }, opts),
    registry: (name, args, opts) => new GcpRegistry(name, { ...args, ...placement }, opts),
    secret: (name, args, opts) => new GcpSecret(name, { ...args, ...placement }, opts),
    logs: (name, args, opts) => new GcpLogs(name, { ...args, ...placement }, opts),
    cluster: (name, args, opts) => new GcpCluster(name, { ...args, ...placement }, opts),
    providerEnvironment: () => ({ GCP_PROJECT: settings.project }),
  } satisfies Platform;
}

export { GcpContainerService } from "./container-service.js";
export { GcpCache, GcpCluster, GcpDatabase, GcpLogs, GcpMessaging, GcpNetwork, GcpRegistry, GcpSecret };
