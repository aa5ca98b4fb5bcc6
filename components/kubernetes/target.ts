import type { Target } from "../api/platform.js";
import { KUBERNETES_DOCS } from "./docs.js";
import { checkKubernetesSettings, KUBERNETES_OWN_KEYS, type KubernetesSettings } from "./settings.js";

/**
 * Kubernetes as stacks/select.ts lists it: no cloud network and no region; a namespace, a
 * kubeconfig context and the in-cluster or external data services instead. The provider SDK
 * loads only with `createPlatform`.
 */
export const kubernetesTarget: Target<KubernetesSettings> = {
  provider: "kubernetes",
  title: "Kubernetes",
  ownKeys: KUBERNETES_OWN_KEYS,
  readSettings: checkKubernetesSettings,
  // An image repository, an ingress host with TLS from cert-manager, and a backup bucket, so
  // every capability the declaration asks for has something to come from.
  exampleConfig: {
    "taskflow:imageRepository": "registry.example.com/taskflow",
    "taskflow:ingressHost": "tasks.example.com",
    "taskflow:ingressTlsSecret": "taskflow-tls",
    "taskflow:certManagerIssuer": "letsencrypt",
    "taskflow:backupBucket": "s3://taskflow-backups/test",
  },
  createPlatform: async (settings) => (await import("./index.js")).createKubernetesPlatform(settings),
  docs: KUBERNETES_DOCS,
};
