import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Cache, CacheArgs } from "../api/cache.js";
import { DEFAULTS } from "../api/defaults.js";
import { type Transform, transformed } from "../api/transform.js";
import { type KubernetesContext, LABELS } from "./context.js";
import { dataServicePolicy } from "./policies.js";
import { restrictedContainer, restrictedPod } from "./security.js";
import { StackAuthority } from "./tls.js";

/** The redis image's own user, so the data volume is writable without running as root. */
const REDIS_UID = 999;

export interface KubernetesCacheArgs extends CacheArgs {
  readonly context: KubernetesContext;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: { readonly statefulSet?: Transform<k8s.apps.v1.StatefulSetArgs> };
}

/**
 * Redis. In-cluster (the default): a one-node StatefulSet with a PersistentVolumeClaim (append-only
 * file on), AUTH from a generated password, TLS only (plain port off) with a certificate from the
 * stack's CA, and a NetworkPolicy that admits only pods labelled as cache users. `replicas`
 * does not apply: failover needs Sentinel or a Redis operator, which this target does not run.
 * External (`taskflow:cacheUrl`): the URL becomes the CACHE_URL secret and nothing is created.
 */
export class KubernetesCache extends pulumi.ComponentResource implements Cache {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  readonly tlsCaCertificate?: pulumi.Output<string>;

  constructor(name: string, args: KubernetesCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Cache", name, {}, opts);
    const { context } = args;
    const external = context.settings.external.cacheUrl;
    if (external) {
      const url = new URL(external);
      context.setPeer("cache", { kind: "external", port: Number(url.port || DEFAULTS.cachePort) });
      this.connectionUrl = pulumi.secret(external);
      this.host = pulumi.output(url.hostname);
      this.serverName = pulumi.output(url.hostname);
      this.registerOutputs({ serverName: this.serverName });
      return;
    }

    const service = `${name}-redis`;
    const selector = { [LABELS.name]: service };
    const inNamespace = { parent: this, dependsOn: context.dependsOnNamespace };
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    new k8s.core.v1.Secret(
      `${name}-auth`,
      { metadata: context.meta(`${service}-auth`), stringData: { password: password.result } },
      inNamespace,
    );
    context.authority.serverSecret(
      name,
      `${service}-tls`,
      StackAuthority.serviceNames(service, context.namespace),
      this,
    );
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: context.meta(service, selector),
        spec: {
          type: "ClusterIP",
          selector,
          ports: [{ name: "rediss", port: DEFAULTS.cachePort, targetPort: "rediss" }],
        },
      },
      inNamespace,
    );
    const memory = `${Math.ceil(args.memoryMb * 1.25)}Mi`;
    new k8s.apps.v1.StatefulSet(
      ...transformed(
        args.transform?.statefulSet,
        `${name}-statefulset`,
        {
          metadata: context.meta(service, selector),
          spec: {
            serviceName: service,
            replicas: 1,
            selector: { matchLabels: selector },
            template: {
              metadata: { labels: { ...context.meta(service).labels, ...selector } },
              spec: {
                ...restrictedPod(REDIS_UID),
                automountServiceAccountToken: false,
                containers: [
                  {
                    name: "redis",
                    image: `redis:${args.engineVersion}-alpine`,
                    args: [
                      "--port",
                      "0",
                      "--tls-port",
                      String(DEFAULTS.cachePort),
                      "--tls-cert-file",
                      "/tls/tls.crt",
                      "--tls-key-file",
                      "/tls/tls.key",
                      "--tls-ca-cert-file",
                      "/tls/ca.crt",
                      "--tls-auth-clients",
                      "no",
                      // Kubernetes expands $(VAR) from the container's env, which comes from the Secret.
                      "--requirepass",
                      "$(REDIS_PASSWORD)",
                      "--maxmemory",
                      `${args.memoryMb}mb`,
                      "--appendonly",
                      "yes",
                      "--dir",
                      "/data",
                    ],
                    env: [
                      {
                        name: "REDIS_PASSWORD",
                        valueFrom: { secretKeyRef: { name: `${service}-auth`, key: "password" } },
                      },
                    ],
                    ports: [{ name: "rediss", containerPort: DEFAULTS.cachePort }],
                    resources: { requests: { cpu: "100m", memory }, limits: { memory } },
                    readinessProbe: { tcpSocket: { port: "rediss" }, periodSeconds: 5 },
                    livenessProbe: { tcpSocket: { port: "rediss" }, periodSeconds: 10, failureThreshold: 6 },
                    securityContext: restrictedContainer(),
                    volumeMounts: [
                      { name: "data", mountPath: "/data" },
                      { name: "tls", mountPath: "/tls", readOnly: true },
                      { name: "tmp", mountPath: "/tmp" },
                    ],
                  },
                ],
                volumes: [
                  { name: "tls", secret: { secretName: `${service}-tls`, defaultMode: 0o440 } },
                  { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                ],
              },
            },
            volumeClaimTemplates: [
              {
                metadata: { name: "data" },
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: `${Math.max(1, Math.ceil((args.memoryMb * 2) / 1024))}Gi` } },
                  ...(context.settings.storageClass ? { storageClassName: context.settings.storageClass } : {}),
                },
              },
            ],
          },
        },
        inNamespace,
      ),
    );
    dataServicePolicy(
      context,
      name,
      `${service}-access`,
      { selector, clientLabel: LABELS.cache, clientPorts: [DEFAULTS.cachePort] },
      this,
    );
    context.setPeer("cache", { kind: "pods", selector, port: DEFAULTS.cachePort });

    const host = `${service}.${context.namespace}.svc`;
    this.host = pulumi.output(host);
    this.serverName = pulumi.output(service);
    this.connectionUrl = pulumi.secret(pulumi.interpolate`rediss://:${password.result}@${host}:${DEFAULTS.cachePort}`);
    this.tlsCaCertificate = context.authority.certificatePem;
    this.registerOutputs({ serverName: this.serverName, host: this.host });
  }
}
