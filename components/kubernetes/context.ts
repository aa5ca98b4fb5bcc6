import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { BrokerAccess } from "./messaging.js";
import type { KubernetesSettings } from "./settings.js";
import type { StackAuthority } from "./tls.js";

/** Labels every pod of the application carries; NetworkPolicies select on them. */
export const LABELS = {
  part: "app.kubernetes.io/part-of",
  name: "app.kubernetes.io/name",
  /** Access labels: a pod with one may reach that data service (its policy admits the label). */
  database: "taskflow.dev/database",
  cache: "taskflow.dev/cache",
  broker: "taskflow.dev/broker",
  /** Verifies access tokens, so it may fetch the identity service's JWKS. */
  jwks: "taskflow.dev/jwks",
  /** The public entry point (the gateway), which every private service admits. */
  entry: "taskflow.dev/entry",
} as const;

export const PART_OF = "taskflow";

/** Where a service's traffic to a data service goes: pods in the namespace, or an address outside the cluster. */
export type Peer =
  | { readonly kind: "pods"; readonly selector: Record<string, string>; readonly port: number }
  | { readonly kind: "external"; readonly port: number };

export type DataService = "database" | "cache" | "broker";

/**
 * What the components of one Kubernetes stack share: the settings, the namespace, the
 * provider (a kubeconfig context when one is set), and where each data service listens, so
 * each service's egress policy names exactly the data services it uses.
 */
export class KubernetesContext {
  private namespaceResource: k8s.core.v1.Namespace | undefined;
  private providerResource: k8s.Provider | undefined;
  private readonly peers = new Map<DataService, Peer>();
  private authorityValue: StackAuthority | undefined;
  private brokerAccess: BrokerAccess | undefined;

  constructor(readonly settings: KubernetesSettings) {}

  get namespace(): string {
    return this.settings.namespace;
  }

  /** Options every component of the stack is created with: the context's provider, when set. */
  componentOptions(opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
    if (!this.settings.context) return opts ?? {};
    this.providerResource ??= new k8s.Provider("kubeconfig-context", { context: this.settings.context });
    return { ...opts, providers: { kubernetes: this.providerResource } };
  }

  setNamespace(namespace: k8s.core.v1.Namespace): void {
    this.namespaceResource = namespace;
  }

  /** Objects inside the namespace wait for it; the network (which creates it) comes first in every stack. */
  get dependsOnNamespace(): pulumi.Resource[] {
    if (!this.namespaceResource)
      throw new Error("[taskflow] [kubernetes] the namespace is needed before the network component created it");
    return [this.namespaceResource];
  }

  setAuthority(authority: StackAuthority): void {
    this.authorityValue = authority;
  }

  /** The stack's CA for in-cluster TLS, created with the namespace. */
  get authority(): StackAuthority {
    if (!this.authorityValue)
      throw new Error("[taskflow] [kubernetes] the CA is needed before the network component created it");
    return this.authorityValue;
  }

  setBroker(access: BrokerAccess): void {
    this.brokerAccess = access;
  }

  /** Creates each service's broker user; set by the messaging component. */
  get broker(): BrokerAccess {
    if (!this.brokerAccess)
      throw new Error("[taskflow] [kubernetes] the broker is needed before the messaging component created it");
    return this.brokerAccess;
  }

  setPeer(service: DataService, peer: Peer): void {
    this.peers.set(service, peer);
  }

  peer(service: DataService): Peer {
    const peer = this.peers.get(service);
    if (!peer) throw new Error(`[taskflow] [kubernetes] no ${service} was created before the services that use it`);
    return peer;
  }

  /** `metadata` for an object in the stack's namespace. */
  meta(name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>) {
    return { name, namespace: this.namespace, labels: { [LABELS.part]: PART_OF, ...labels }, annotations };
  }
}
