import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { DEFAULTS } from "../api/defaults.js";
import { type Transform, transformed } from "../api/transform.js";
import { type KubernetesContext, LABELS, type Peer } from "./context.js";
import { namespaceNamed, tcp } from "./policies.js";
import { restrictedContainer, restrictedPod } from "./security.js";

/** The image's `node` user (Dockerfile `USER node`). */
export const APP_UID = 1000;

/** Who may open connections to a service, as NetworkPolicy peers. */
export type Caller =
  | { readonly kind: "pods"; readonly selector: Record<string, string> }
  | { readonly kind: "namespace"; readonly namespace: string };

export interface KubernetesContainerServiceArgs extends ContainerServiceArgs {
  readonly context: KubernetesContext;
  /** Sources allowed in on the service's port (the ingress controller, the gateway, token verifiers). */
  readonly callers: readonly Caller[];
  /** Other application services this one calls (the gateway's upstreams, identity's JWKS). */
  readonly calls: readonly { readonly selector: Record<string, string>; readonly port: number }[];
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: { readonly deployment?: Transform<k8s.apps.v1.DeploymentArgs> };
}

/** Kubernetes CPU and memory quantities for what the service declares; requests equal to the declaration, memory capped there. */
export function kubernetesResources(cpu: number, memoryMb: number) {
  if (!(cpu > 0) || !(memoryMb > 0)) {
    throw new Error(`[taskflow] [kubernetes] cpu (${cpu}) and memoryMb (${memoryMb}) must be positive numbers`);
  }
  const memory = `${Math.ceil(memoryMb)}Mi`;
  // No CPU limit: throttling a Node process under a limit stalls its event loop; requests still reserve the share.
  return { requests: { cpu: `${Math.ceil(cpu * 1000)}m`, memory }, limits: { memory } };
}

/**
 * One service: its own ServiceAccount (no API token mounted), a Deployment that meets the Pod
 * Security "restricted" profile and spreads its pods over nodes and zones, startup, readiness
 * and liveness probes on the declared paths, a ClusterIP Service, an HPA on CPU and a
 * PodDisruptionBudget, and one NetworkPolicy naming exactly who may call it and what it may call.
 * Secrets reach the container only as `secretKeyRef`s.
 */
export class KubernetesContainerService extends pulumi.ComponentResource implements ContainerService {
  readonly url: pulumi.Output<string>;
  readonly identity: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** Labels that select this service's pods. */
  readonly selector: Record<string, string>;

  constructor(name: string, args: KubernetesContainerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:ContainerService", name, {}, opts);
    const { context } = args;
    const inNamespace = { parent: this, dependsOn: context.dependsOnNamespace };
    this.selector = { [LABELS.name]: name };
    const uses = {
      database: "DATABASE_URL" in args.secretEnvironment,
      cache: "CACHE_URL" in args.secretEnvironment,
      broker: args.publishes.length > 0 || args.consumes.length > 0,
      jwks: "JWT_JWKS_URL" in args.environment,
    };
    const access = Object.fromEntries(
      (Object.keys(uses) as (keyof typeof uses)[]).filter((k) => uses[k]).map((k) => [LABELS[k], "true"]),
    );
    const labels = {
      ...context.meta(name).labels,
      ...this.selector,
      ...access,
      ...(args.public ? { [LABELS.entry]: "true" } : {}),
    };

    const account = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: context.meta(name, this.selector), automountServiceAccountToken: false },
      inNamespace,
    );
    const grant = uses.broker ? context.broker.grant(args.service, args.publishes, args.consumes, this) : undefined;
    const env = [
      ...Object.entries({ ...args.environment, ...grant?.environment }).map(([envName, value]) => ({
        name: envName,
        value,
      })),
      ...Object.entries(args.secretEnvironment).map(([envName, ref]) => ({
        name: envName,
        valueFrom: { secretKeyRef: { name: ref.id, key: ref.version } },
      })),
      ...Object.entries(grant?.secretEnvironment ?? {}).map(([envName, ref]) => ({
        name: envName,
        valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
      })),
    ];
    const probe = (path: string) => ({ httpGet: { path, port: "http" } });
    const grace = args.startupGraceSeconds ?? DEFAULTS.startupGraceSeconds;
    const spread = (topologyKey: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: this.selector },
    });
    const pullSecret = context.settings.imagePullSecret;
    const deployment = new k8s.apps.v1.Deployment(
      ...transformed(
        args.transform?.deployment,
        `${name}-deployment`,
        {
          metadata: context.meta(name, this.selector),
          spec: {
            replicas: args.minInstances,
            selector: { matchLabels: this.selector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: false,
                ...restrictedPod(APP_UID),
                ...(pullSecret ? { imagePullSecrets: [{ name: pullSecret }] } : {}),
                topologySpreadConstraints: [spread("kubernetes.io/hostname"), spread("topology.kubernetes.io/zone")],
                containers: [
                  {
                    name: args.service,
                    image: args.image,
                    args: args.command ? [...args.command] : undefined,
                    ports: [{ name: "http", containerPort: args.port }],
                    env,
                    resources: kubernetesResources(args.cpu, args.memoryMb),
                    startupProbe: {
                      ...probe(args.readinessPath),
                      periodSeconds: 5,
                      failureThreshold: Math.ceil(grace / 5),
                    },
                    readinessProbe: { ...probe(args.readinessPath), periodSeconds: 10, failureThreshold: 3 },
                    livenessProbe: { ...probe(args.livenessPath), periodSeconds: 15, failureThreshold: 3 },
                    securityContext: restrictedContainer(),
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                  },
                ],
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
              },
            },
          },
        },
        { ...inNamespace, dependsOn: [...context.dependsOnNamespace, account] },
      ),
    );
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: context.meta(name, this.selector),
        spec: {
          type: "ClusterIP",
          selector: this.selector,
          ports: [{ name: "http", port: args.port, targetPort: "http" }],
        },
      },
      inNamespace,
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: context.meta(name, this.selector),
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
          minReplicas: args.minInstances,
          maxReplicas: args.maxInstances,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.cpuTargetPercent } },
            },
          ],
        },
      },
      { parent: this, dependsOn: [deployment] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      // One pod at a time: with a single replica a drain still proceeds, it just waits for the new pod.
      {
        metadata: context.meta(name, this.selector),
        spec: { maxUnavailable: 1, selector: { matchLabels: this.selector } },
      },
      inNamespace,
    );
    this.createPolicy(name, args, uses);

    const internal = `http://${name}.${context.namespace}.svc:${args.port}`;
    this.url = pulumi.output(internal);
    this.identity = account.metadata.name;
    this.serviceName = service.metadata.name;
    this.registerOutputs({ url: this.url, identity: this.identity, serviceName: this.serviceName });
  }

  /** Exactly this service's paths: its callers in, and out to what it uses. */
  private createPolicy(
    name: string,
    args: KubernetesContainerServiceArgs,
    uses: { database: boolean; cache: boolean; broker: boolean },
  ): void {
    const { context } = args;
    const peerRule = (peer: Peer) =>
      peer.kind === "pods"
        ? { to: [{ podSelector: { matchLabels: peer.selector } }], ports: tcp([peer.port]) }
        : { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp([peer.port]) };
    const egress = [
      ...args.calls.map((c) => ({ to: [{ podSelector: { matchLabels: c.selector } }], ports: tcp([c.port]) })),
      ...(["database", "cache", "broker"] as const).filter((d) => uses[d]).map((d) => peerRule(context.peer(d))),
    ];
    const ingress = args.callers.length
      ? [
          {
            from: args.callers.map((c) =>
              c.kind === "pods" ? { podSelector: { matchLabels: c.selector } } : namespaceNamed(c.namespace),
            ),
            ports: tcp([args.port]),
          },
        ]
      : [];
    new k8s.networking.v1.NetworkPolicy(
      `${name}-policy`,
      {
        metadata: context.meta(name, this.selector),
        spec: { podSelector: { matchLabels: this.selector }, policyTypes: ["Ingress", "Egress"], ingress, egress },
      },
      { parent: this, dependsOn: context.dependsOnNamespace },
    );
  }
}
