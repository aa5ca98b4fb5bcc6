import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesContext } from "./context.js";

/**
 * The operators the in-cluster data services need, as pinned Helm charts. Pinned so that a
 * `pulumi up` next month installs what was tested, and the custom resources below match the
 * CRDs those versions install.
 */
export const OPERATOR_CHARTS = {
  cloudnativePg: {
    chart: "cloudnative-pg",
    version: "0.26.1",
    repo: "https://cloudnative-pg.github.io/charts",
    values: (_namespace: string) => ({ config: { clusterWide: true } }),
  },
  strimzi: {
    chart: "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
    version: "0.48.0",
    repo: undefined,
    values: (namespace: string) => ({ watchNamespaces: [namespace] }),
  },
  rabbitmq: {
    // Bitnami's chart carries both the Cluster Operator and the Messaging Topology Operator.
    chart: "oci://registry-1.docker.io/bitnamicharts/rabbitmq-cluster-operator",
    version: "4.4.3",
    repo: undefined,
    values: (namespace: string) => ({
      clusterOperator: { watchAllNamespaces: false, watchNamespaces: [namespace] },
      msgTopologyOperator: { enabled: true, watchAllNamespaces: false, watchNamespaces: [namespace] },
    }),
  },
} as const;

export type OperatorName = keyof typeof OPERATOR_CHARTS;

/**
 * The Helm release of `operator`, unless `taskflow:operatorsInstalled` says the cluster has it;
 * custom resources depend on what this returns so their CRDs exist first.
 */
export function installOperator(
  context: KubernetesContext,
  name: string,
  operator: OperatorName,
  parent: pulumi.Resource,
): pulumi.Resource[] {
  if (context.settings.operatorsInstalled) return context.dependsOnNamespace;
  const chart = OPERATOR_CHARTS[operator];
  const release = new k8s.helm.v3.Release(
    `${name}-operator`,
    {
      name: `taskflow-${operator.toLowerCase()}`,
      chart: chart.chart,
      version: chart.version,
      ...(chart.repo ? { repositoryOpts: { repo: chart.repo } } : {}),
      namespace: context.settings.operatorNamespace,
      createNamespace: true,
      atomic: true,
      values: chart.values(context.namespace),
    },
    { parent },
  );
  return [...context.dependsOnNamespace, release];
}
