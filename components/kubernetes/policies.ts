import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesContext } from "./context.js";

/** Ports the Kubernetes API server answers on: 443 on EKS, AKS and GKE, 6443 on kubeadm clusters. */
export const API_SERVER_PORTS = [443, 6443] as const;

const namespaceNamed = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: "TCP", port }));

export interface DataServicePolicyArgs {
  /** Labels the operator (or the StatefulSet) puts on the data service's pods. */
  readonly selector: Record<string, string>;
  /** The pods clients connect to, when not all of the data service's pods serve them (Kafka brokers, not its entity operator). */
  readonly servingSelector?: Record<string, string>;
  /** Access label a client pod carries (LABELS.database, ...) and the ports clients use. */
  readonly clientLabel: string;
  readonly clientPorts: readonly number[];
  /** Ports the pods use among themselves (replication, the controller quorum); none for a single Redis. */
  readonly peerPorts?: readonly number[];
  /** Ports the operator in `operatorNamespace` reaches the pods on (status, management API). */
  readonly operatorPorts?: readonly number[];
  /** The pods call the Kubernetes API (CloudNativePG's instance manager, RabbitMQ's peer discovery). */
  readonly apiServer?: boolean;
  /** The pods write backups to an object store outside the cluster over HTTPS. */
  readonly objectStore?: boolean;
}

/**
 * The one NetworkPolicy of a data service: who may reach its pods, and where its pods may go.
 * Clients are admitted by their access label, so a service that does not use the database
 * cannot open a connection to it even from inside the namespace.
 */
export function dataServicePolicy(
  context: KubernetesContext,
  name: string,
  policyName: string,
  args: DataServicePolicyArgs,
  parent: pulumi.Resource,
): k8s.networking.v1.NetworkPolicy {
  const self = { podSelector: { matchLabels: args.selector } };
  const clients = {
    from: [{ podSelector: { matchLabels: { [args.clientLabel]: "true" } } }],
    ports: tcp(args.clientPorts),
  };
  const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = args.servingSelector ? [] : [clients];
  const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
  if (args.peerPorts?.length) {
    ingress.push({ from: [self], ports: tcp(args.peerPorts) });
    egress.push({ to: [self], ports: tcp(args.peerPorts) });
  }
  if (args.operatorPorts?.length) {
    ingress.push({ from: [namespaceNamed(context.settings.operatorNamespace)], ports: tcp(args.operatorPorts) });
  }
  if (args.apiServer || args.objectStore) {
    const ports = [...(args.apiServer ? API_SERVER_PORTS : []), ...(args.objectStore && !args.apiServer ? [443] : [])];
    egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp(ports) });
  }
  if (args.servingSelector) {
    new k8s.networking.v1.NetworkPolicy(
      `${name}-clients-policy`,
      {
        metadata: context.meta(`${policyName}-clients`),
        spec: { podSelector: { matchLabels: args.servingSelector }, policyTypes: ["Ingress"], ingress: [clients] },
      },
      { parent, dependsOn: context.dependsOnNamespace },
    );
  }
  return new k8s.networking.v1.NetworkPolicy(
    `${name}-policy`,
    {
      metadata: context.meta(policyName),
      spec: { podSelector: { matchLabels: args.selector }, policyTypes: ["Ingress", "Egress"], ingress, egress },
    },
    { parent, dependsOn: context.dependsOnNamespace },
  );
}

export { namespaceNamed, tcp };
