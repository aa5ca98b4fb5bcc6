import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster, ClusterArgs } from "../api/cluster.js";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { type Caller, KubernetesContainerService } from "./container-service.js";
import { type KubernetesContext, LABELS } from "./context.js";

export interface KubernetesClusterArgs extends ClusterArgs {
  readonly context: KubernetesContext;
}

interface Added {
  readonly selector: Record<string, string>;
  readonly port: number;
  readonly public: boolean;
  readonly signsTokens: boolean;
}

/**
 * The cluster itself exists already; this holds what the services share: who may call whom.
 * The public service gets the Ingress (class and host from config, TLS from a Secret or a
 * cert-manager issuer) and admits only the ingress controller's namespace; every private
 * service admits the entry point and, for the token signer, every pod that verifies tokens.
 */
export class KubernetesCluster extends pulumi.ComponentResource implements Cluster {
  readonly clusterName: pulumi.Output<string>;
  private readonly added = new Map<string, Added>();

  constructor(
    private readonly name: string,
    private readonly args: KubernetesClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:kubernetes:Cluster", name, {}, opts);
    const { settings } = args.context;
    this.clusterName = pulumi.output(`${settings.context ?? "current-context"}/${settings.namespace}`);
    this.registerOutputs({ clusterName: this.clusterName });
  }

  addService(name: string, args: ContainerServiceArgs): ContainerService {
    const { context } = this.args;
    const signsTokens = "JWT_PRIVATE_KEY" in args.secretEnvironment;
    const callers: Caller[] = args.public
      ? [{ kind: "namespace", namespace: context.settings.ingressNamespace }]
      : [
          { kind: "pods", selector: { [LABELS.entry]: "true" } },
          ...(signsTokens ? [{ kind: "pods" as const, selector: { [LABELS.jwks]: "true" } }] : []),
        ];
    const signer = [...this.added.values()].find((a) => a.signsTokens);
    const verifies = "JWT_JWKS_URL" in args.environment;
    if (verifies && !signer) {
      throw new Error(
        `[taskflow] [kubernetes] service "${args.service}" verifies tokens, but the signer is not created yet`,
      );
    }
    const upstreams = args.public ? [...this.added.values()].filter((a) => !a.public) : [];
    const calls = [...(verifies && signer ? [signer] : []), ...upstreams.filter((u) => u !== signer)];
    const service = new KubernetesContainerService(
      name,
      { ...args, context, callers, calls: calls.map((c) => ({ selector: c.selector, port: c.port })) },
      { parent: this },
    );
    this.added.set(name, { selector: service.selector, port: args.port, public: args.public, signsTokens });
    if (!args.public) return service;
    return { url: this.createIngress(name, args.port), identity: service.identity, serviceName: service.serviceName };
  }

  /** The Ingress of the public service; its URL is the configured host, or the controller's address. */
  private createIngress(service: string, port: number): pulumi.Output<string> {
    const { context } = this.args;
    const { ingressHost, ingressTls, ingressClass } = context.settings;
    const annotations = ingressTls?.clusterIssuer
      ? { "cert-manager.io/cluster-issuer": ingressTls.clusterIssuer }
      : undefined;
    const ingress = new k8s.networking.v1.Ingress(
      `${this.name}-ingress`,
      {
        metadata: context.meta(service, {}, annotations),
        spec: {
          ingressClassName: ingressClass,
          ...(ingressTls && ingressHost ? { tls: [{ hosts: [ingressHost], secretName: ingressTls.secretName }] } : {}),
          rules: [
            {
              ...(ingressHost ? { host: ingressHost } : {}),
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: port } } } },
                ],
              },
            },
          ],
        },
      },
      { parent: this, dependsOn: context.dependsOnNamespace },
    );
    if (ingressHost) return pulumi.output(`${ingressTls ? "https" : "http"}://${ingressHost}`);
    return ingress.status.apply((status) => {
      const lb = status?.loadBalancer?.ingress?.[0];
      return `http://${lb?.hostname ?? lb?.ip ?? `${service}.${context.namespace}.svc`}`;
    });
  }
}
