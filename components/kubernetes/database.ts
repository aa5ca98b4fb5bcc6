import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database, DatabaseArgs } from "../api/database.js";
import { DEFAULTS } from "../api/defaults.js";
import { type Transform, transformed } from "../api/transform.js";
import { type KubernetesContext, LABELS } from "./context.js";
import { installOperator } from "./operators.js";
import { dataServicePolicy } from "./policies.js";
import { StackAuthority } from "./tls.js";

/** CloudNativePG's instance manager answers the operator's status checks here. */
const CNPG_STATUS_PORT = 8000;
const OWNER = "taskflow";
/** Primary plus one standby on another node, so a node drain never takes the database down. */
export const DEFAULT_INSTANCES = 2;

export interface KubernetesDatabaseArgs extends DatabaseArgs {
  readonly context: KubernetesContext;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: { readonly cluster?: Transform<k8s.apiextensions.CustomResourceArgs> };
}

/** The name CloudNativePG's pods and Services are derived from (`<name>-rw`, `<name>-1`). */
export const databaseClusterName = (name: string) => `${name}-pg`;

/**
 * PostgreSQL. In-cluster (the default): a CloudNativePG `Cluster` with `instanceSize` instances
 * (a number on this target: the node pool decides the machine), TLS from the stack's CA so the
 * services verify the server by name (`sslmode=verify-full`), client connections over TLS only,
 * and backups to `taskflow:backupBucket` when one is given. External (`taskflow:databaseUrl`):
 * the URL is stored as the DATABASE_URL secret and nothing is created in the cluster.
 */
export class KubernetesDatabase extends pulumi.ComponentResource implements Database {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  readonly tlsCaCertificate?: pulumi.Output<string>;

  constructor(name: string, args: KubernetesDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Database", name, {}, opts);
    const { context } = args;
    const external = context.settings.external.databaseUrl;
    if (external) {
      const url = new URL(external);
      context.setPeer("database", { kind: "external", port: Number(url.port || DEFAULTS.databasePort) });
      this.connectionUrl = pulumi.secret(external);
      this.host = pulumi.output(url.hostname);
      this.serverName = pulumi.output(url.hostname);
      const ca = context.settings.external.databaseTlsCa;
      this.tlsCaCertificate = ca ? pulumi.output(ca) : undefined;
      this.registerOutputs({ serverName: this.serverName });
      return;
    }

    const cluster = databaseClusterName(name);
    const instances = Number(args.instanceSize ?? DEFAULT_INSTANCES);
    if (!Number.isInteger(instances) || instances < 1 || instances > 9) {
      throw new Error(
        `[taskflow] [kubernetes] taskflow:databaseInstance is "${args.instanceSize}"; on Kubernetes it is the number of PostgreSQL instances, 1 to 9`,
      );
    }
    const ready = installOperator(context, name, "cloudnativePg", this);
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: context.meta(`${cluster}-app-credentials`),
        type: "kubernetes.io/basic-auth",
        stringData: { username: OWNER, password: password.result },
      },
      { parent: this, dependsOn: context.dependsOnNamespace },
    );
    const tlsSecret = context.authority.serverSecret(
      name,
      `${cluster}-server-tls`,
      ["rw", "r", "ro"].flatMap((suffix) => StackAuthority.serviceNames(`${cluster}-${suffix}`, context.namespace)),
      this,
    );
    const bucket = context.settings.backupBucket;
    const [clusterName, clusterArgs, clusterOpts] = transformed(
      args.transform?.cluster,
      `${name}-cluster`,
      {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: context.meta(cluster),
        spec: {
          instances,
          imageName: `ghcr.io/cloudnative-pg/postgresql:${args.engineVersion}`,
          enableSuperuserAccess: false,
          storage: {
            size: `${args.storageGb}Gi`,
            ...(context.settings.storageClass ? { storageClass: context.settings.storageClass } : {}),
          },
          bootstrap: {
            initdb: { database: args.databaseName, owner: OWNER, secret: { name: `${cluster}-app-credentials` } },
          },
          certificates: { serverTLSSecret: `${cluster}-server-tls`, serverCASecret: `${cluster}-server-tls` },
          // Clients must use TLS; CloudNativePG keeps its own rules for replication and the operator.
          postgresql: {
            pg_hba: ["hostssl all all all scram-sha-256"],
            parameters: { log_connections: "on", log_disconnections: "on" },
          },
          affinity: { enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname" },
          ...(bucket ? { backup: backupSpec(bucket, args.backupRetentionDays) } : {}),
        },
      },
      {
        parent: this,
        dependsOn: [...ready, credentials, tlsSecret],
        protect: args.deletionProtection ?? DEFAULTS.deletionProtection,
      },
    );
    new k8s.apiextensions.CustomResource(clusterName, clusterArgs, clusterOpts);
    if (bucket) {
      new k8s.apiextensions.CustomResource(
        `${name}-daily-backup`,
        {
          apiVersion: "postgresql.cnpg.io/v1",
          kind: "ScheduledBackup",
          metadata: context.meta(`${cluster}-daily`),
          // CloudNativePG's schedule has a seconds field: every day at 03:00.
          spec: { schedule: "0 0 3 * * *", backupOwnerReference: "self", cluster: { name: cluster } },
        },
        { parent: this, dependsOn: ready },
      );
    }
    const selector = { "cnpg.io/cluster": cluster };
    dataServicePolicy(
      context,
      name,
      `${cluster}-access`,
      {
        selector,
        clientLabel: LABELS.database,
        clientPorts: [DEFAULTS.databasePort],
        peerPorts: [DEFAULTS.databasePort, CNPG_STATUS_PORT],
        operatorPorts: [DEFAULTS.databasePort, CNPG_STATUS_PORT],
        apiServer: true,
        objectStore: bucket !== undefined,
      },
      this,
    );
    context.setPeer("database", { kind: "pods", selector, port: DEFAULTS.databasePort });

    const host = `${cluster}-rw.${context.namespace}.svc`;
    this.host = pulumi.output(host);
    this.serverName = pulumi.output(cluster);
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgres://${OWNER}:${password.result}@${host}:${DEFAULTS.databasePort}/${args.databaseName}?sslmode=verify-full`,
    );
    this.tlsCaCertificate = context.authority.certificatePem;
    this.registerOutputs({ serverName: this.serverName, host: this.host });
  }
}

/**
 * Barman object-store backups, with the credentials each cloud gives a workload identity: IRSA
 * or EKS Pod Identity on s3://, GKE Workload Identity on gs://, Azure workload identity on blob URLs.
 */
function backupSpec(bucket: string, retentionDays: number) {
  const credentials = bucket.startsWith("s3://")
    ? { s3Credentials: { inheritFromIAMRole: true } }
    : bucket.startsWith("gs://")
      ? { googleCredentials: { gkeEnvironment: true } }
      : { azureCredentials: { inheritFromAzureAD: true } };
  return {
    retentionPolicy: `${retentionDays}d`,
    barmanObjectStore: {
      destinationPath: bucket,
      ...credentials,
      wal: { compression: "gzip" },
      data: { compression: "gzip" },
    },
  };
}
