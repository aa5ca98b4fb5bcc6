import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Network, NetworkArgs } from "../api/network.js";
import type { KubernetesContext } from "./context.js";
import { StackAuthority } from "./tls.js";

/** Where cluster DNS runs on every distribution we target (EKS, AKS, GKE, kubeadm, kind). */
export const CLUSTER_DNS = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, port: 53 } as const;

/** Pod Security Admission: enforce, audit and warn at "restricted", the latest version of the profile. */
export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
} as const;

export interface KubernetesNetworkArgs extends NetworkArgs {
  readonly context: KubernetesContext;
}

/**
 * The stack's namespace, which stands where a cloud has its VPC: Pod Security "restricted",
 * a NetworkPolicy that denies all ingress and egress, and one that lets every pod resolve
 * names through cluster DNS. Every other path is opened by the component that needs it. The
 * cluster's pod network is the cluster's own, so there is no address range or subnet to carve.
 */
export class KubernetesNetwork extends pulumi.ComponentResource implements Network {
  readonly networkId: pulumi.Output<string>;
  readonly cidr = "";
  readonly privateSubnetIds: pulumi.Output<string>[] = [];
  readonly publicSubnetIds: pulumi.Output<string>[] = [];
  readonly dataPlaneReady: pulumi.Resource[];

  constructor(name: string, args: KubernetesNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Network", name, {}, opts);
    const { context } = args;
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: context.namespace, labels: { ...POD_SECURITY_LABELS } } },
      { parent: this },
    );
    context.setNamespace(namespace);
    const inNamespace = { parent: this, dependsOn: [namespace] };
    new k8s.networking.v1.NetworkPolicy(
      `${name}-default-deny`,
      {
        metadata: context.meta("default-deny"),
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      inNamespace,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-dns`,
      {
        metadata: context.meta("allow-dns"),
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": CLUSTER_DNS.namespace } },
                  podSelector: { matchLabels: { ...CLUSTER_DNS.labels } },
                },
              ],
              ports: [
                { protocol: "UDP", port: CLUSTER_DNS.port },
                { protocol: "TCP", port: CLUSTER_DNS.port },
              ],
            },
          ],
        },
      },
      inNamespace,
    );
    context.setAuthority(new StackAuthority(name, context, this));
    this.networkId = namespace.metadata.name;
    this.dataPlaneReady = [namespace];
    this.registerOutputs({ networkId: this.networkId });
  }
}
