import type { Platform } from "../api/platform.js";
import { GcpCache } from "./cache.js";
import { GcpCluster } from "./cluster.js";
import { GcpDatabase } from "./database.js";
import { GcpLogs } from "./logs.js";
import { GcpMessaging } from "./messaging.js";
import { GcpNetwork } from "./network.js";
import { requireProject } from "./project.js";
import { GcpRegistry } from "./registry.js";
import { GcpSecret } from "./secrets.js";

/** GCP: Cloud Run v2, Cloud SQL, Memorystore, Pub/Sub, Artifact Registry, Secret Manager, Cloud Logging. */
export const gcp = {
  provider: "gcp",
  network: (name, args, opts) => new GcpNetwork(name, args, opts),
  database: (name, args, opts) => new GcpDatabase(name, args, opts),
  cache: (name, args, opts) => new GcpCache(name, args, opts),
  messaging: (name, args, opts) => new GcpMessaging(name, args, opts),
  registry: (name, args, opts) => new GcpRegistry(name, args, opts),
  secret: (name, args, opts) => new GcpSecret(name, args, opts),
  logs: (name, args, opts) => new GcpLogs(name, args, opts),
  cluster: (name, args, opts) => new GcpCluster(name, args, opts),
  providerEnvironment: (placement) => ({ GCP_PROJECT: requireProject(placement, "environment") }),
} satisfies Platform;

export { GcpContainerService } from "./container-service.js";
export { GcpCache, GcpCluster, GcpDatabase, GcpLogs, GcpMessaging, GcpNetwork, GcpRegistry, GcpSecret };
