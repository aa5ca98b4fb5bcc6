import type * as pulumi from "@pulumi/pulumi";
import type { Platform } from "../api/platform.js";
import { KubernetesCache } from "./cache.js";
import { KubernetesCluster } from "./cluster.js";
import { KubernetesContext } from "./context.js";
import { KubernetesDatabase } from "./database.js";
import { KubernetesLogs } from "./logs.js";
import { KubernetesMessaging } from "./messaging.js";
import { KubernetesNetwork } from "./network.js";
import { KubernetesRegistry } from "./registry.js";
import { KubernetesSecret } from "./secrets.js";
import type { KubernetesSettings } from "./settings.js";

/**
 * Kubernetes: Deployments, Services, Ingress, HPA, PDB and default-deny NetworkPolicies in one
 * namespace; CloudNativePG, a Redis StatefulSet and Strimzi Kafka (or RabbitMQ) in-cluster, or
 * external URLs. One platform per stack run, since its components share the namespace and CA.
 */
export function createKubernetesPlatform(settings: KubernetesSettings): Platform {
  const context = new KubernetesContext(settings);
  const opts = (_name: string, given?: pulumi.ComponentResourceOptions) => context.componentOptions(given);
  return {
    provider: "kubernetes",
    network: (name, args, o) => new KubernetesNetwork(name, { ...args, context }, opts(name, o)),
    database: (name, args, o) => new KubernetesDatabase(name, { ...args, context }, opts(name, o)),
    cache: (name, args, o) => new KubernetesCache(name, { ...args, context }, opts(name, o)),
    messaging: (name, args, o) => new KubernetesMessaging(name, { ...args, context }, opts(name, o)),
    registry: (name, args, o) =>
      new KubernetesRegistry(name, { ...args, repository: settings.imageRepository }, opts(name, o)),
    secret: (name, args, o) => new KubernetesSecret(name, { ...args, context }, opts(name, o)),
    logs: (name, args, o) => new KubernetesLogs(name, { ...args, namespace: settings.namespace }, opts(name, o)),
    cluster: (name, args, o) => new KubernetesCluster(name, { ...args, context }, opts(name, o)),
    providerEnvironment: () => ({ KUBERNETES_NAMESPACE: settings.namespace }),
  } satisfies Platform;
}

export { KubernetesContainerService } from "./container-service.js";
export {
  KubernetesCache,
  KubernetesCluster,
  KubernetesDatabase,
  KubernetesLogs,
  KubernetesMessaging,
  KubernetesNetwork,
  KubernetesRegistry,
  KubernetesSecret,
};
