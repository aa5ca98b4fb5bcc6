import { z } from "zod";
import type { ConfigReader, TargetSettings } from "../api/platform.js";

export type { ConfigReader };

/**
 * Settings only the Kubernetes target has, read from the same `taskflow:` config namespace as
 * the shared ones (stacks/settings.ts) and checked in one go: every problem at once, each with
 * the setting's name and how to set it.
 */
export interface KubernetesSettings {
  /** Namespace every object of the stack goes in (created by the stack, with Pod Security "restricted"). */
  readonly namespace: string;
  /** kubeconfig context to deploy with. @default the kubeconfig's current context */
  readonly context?: string;
  /** The ingress controller's IngressClass. @default "nginx" */
  readonly ingressClass: string;
  /** Namespace the ingress controller's pods run in: the one source allowed to reach the gateway. @default "ingress-nginx" */
  readonly ingressNamespace: string;
  /** Host name the gateway's Ingress answers; unset answers any host over plain HTTP. */
  readonly ingressHost?: string;
  /** TLS for the Ingress: an existing Secret, or a cert-manager ClusterIssuer that issues one. */
  readonly ingressTls?: { readonly secretName: string; readonly clusterIssuer?: string };
  /** Broker the services use: Kafka (Strimzi) or RabbitMQ (its Cluster Operator). @default "kafka" */
  readonly broker: "kafka" | "rabbitmq";
  /** When set, the database is outside the cluster and nothing in-cluster is created for it. */
  readonly external: {
    readonly databaseUrl?: string;
    /** PEM of the external database's CA, for `sslmode=verify-full`. */
    readonly databaseTlsCa?: string;
    readonly cacheUrl?: string;
    readonly kafkaBrokers?: string;
    readonly rabbitmqUrl?: string;
  };
  /** The cluster already runs CloudNativePG, Strimzi and the RabbitMQ operators; the stack installs none. @default false */
  readonly operatorsInstalled: boolean;
  /** Namespace of the operators, the stack's own Helm releases or those already installed. @default "taskflow-operators" */
  readonly operatorNamespace: string;
  /** StorageClass of every PersistentVolumeClaim. @default the cluster's default class */
  readonly storageClass?: string;
  /** Object store for PostgreSQL backups: s3://, gs:// or https://<account>.blob.core.windows.net/... @default none (no backups) */
  readonly backupBucket?: string;
  /** Repository the image is pulled from (any registry), e.g. ghcr.io/acme/taskflow. */
  readonly imageRepository?: string;
  /** Secret in the namespace with credentials for a private registry. @default none */
  readonly imagePullSecret?: string;
}

const dns1123 = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS-1123 label (lower-case letters, digits, '-')");
const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const urlWith = (schemes: readonly string[]) =>
  z
    .string()
    .refine((v) => schemes.some((s) => v.startsWith(`${s}://`)), `must start with ${schemes.join(":// or ")}://`);

const schema = z.object({
  namespace: dns1123.default("taskflow"),
  kubeContext: z.string().min(1).optional(),
  ingressClass: dns1123.default("nginx"),
  ingressNamespace: dns1123.default("ingress-nginx"),
  ingressHost: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com")
    .optional(),
  ingressTlsSecret: dns1123.optional(),
  certManagerIssuer: z.string().min(1).optional(),
  broker: z.enum(["kafka", "rabbitmq"]).default("kafka"),
  databaseUrl: urlWith(["postgres", "postgresql"]).optional(),
  databaseTlsCa: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
  cacheUrl: urlWith(["rediss", "redis"]).optional(),
  kafkaBrokers: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, "must be host:port[,host:port...]")
    .optional(),
  rabbitmqUrl: urlWith(["amqps", "amqp"]).optional(),
  operatorsInstalled: bool.default(false),
  operatorNamespace: dns1123.default("taskflow-operators"),
  storageClass: dns1123.optional(),
  backupBucket: z
    .string()
    .regex(
      /^(s3:\/\/|gs:\/\/|https:\/\/[a-z0-9]+\.blob\.core\.windows\.net\/)\S+$/,
      "must be s3://, gs:// or an Azure blob URL",
    )
    .optional(),
  imageRepository: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?\/[\w./-]+$/, "must be host/path, e.g. ghcr.io/acme/taskflow")
    .optional(),
  imagePullSecret: dns1123.optional(),
});

const KEYS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

/** The `taskflow:` keys only Kubernetes reads. */
export const KUBERNETES_OWN_KEYS: readonly string[] = KEYS;

/** Reads and checks the Kubernetes settings; throws one error listing every problem. */
export function readKubernetesSettings(read: ConfigReader): KubernetesSettings {
  const result = checkKubernetesSettings(read);
  if (result.problems) {
    throw new Error(
      `[taskflow] [kubernetes] the stack configuration has ${result.problems.length} problem(s):\n  - ${result.problems.join("\n  - ")}`,
    );
  }
  return result.settings;
}

/** Reads and checks the Kubernetes settings, returning every problem instead of the settings. */
export function checkKubernetesSettings(read: ConfigReader): TargetSettings<KubernetesSettings> {
  const raw = Object.fromEntries(KEYS.map((key) => [key, read("taskflow", key)]));
  const parsed = schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return `taskflow:${key} (${raw[key] === undefined ? "unset" : "as set"}): ${issue.message}; set it with \`pulumi config set taskflow:${key} <value>\``;
      });
  // Settings that only make sense together, checked on what was set so they show beside any other problem.
  const set = (key: keyof typeof schema.shape) => raw[key] !== undefined;
  if (set("certManagerIssuer") && !set("ingressTlsSecret"))
    problems.push(
      "taskflow:certManagerIssuer: needs taskflow:ingressTlsSecret, the Secret cert-manager writes the certificate to",
    );
  if (set("ingressTlsSecret") && !set("ingressHost"))
    problems.push("taskflow:ingressTlsSecret: needs taskflow:ingressHost, the name the certificate is for");
  if (set("databaseTlsCa") && !set("databaseUrl"))
    problems.push("taskflow:databaseTlsCa: is set without taskflow:databaseUrl");
  const broker = raw.broker ?? "kafka";
  if (broker === "kafka" && set("rabbitmqUrl"))
    problems.push("taskflow:rabbitmqUrl: is set but taskflow:broker is kafka; set taskflow:broker rabbitmq");
  if (broker === "rabbitmq" && set("kafkaBrokers"))
    problems.push("taskflow:kafkaBrokers: is set but taskflow:broker is rabbitmq; set taskflow:broker kafka");
  if (problems.length > 0 || !parsed.success) return { problems };
  const c = parsed.data;
  const settings: KubernetesSettings = {
    namespace: c.namespace,
    context: c.kubeContext,
    ingressClass: c.ingressClass,
    ingressNamespace: c.ingressNamespace,
    ingressHost: c.ingressHost,
    ingressTls: c.ingressTlsSecret ? { secretName: c.ingressTlsSecret, clusterIssuer: c.certManagerIssuer } : undefined,
    broker: c.broker,
    external: {
      databaseUrl: c.databaseUrl,
      databaseTlsCa: c.databaseTlsCa,
      cacheUrl: c.cacheUrl,
      kafkaBrokers: c.kafkaBrokers,
      rabbitmqUrl: c.rabbitmqUrl,
    },
    operatorsInstalled: c.operatorsInstalled,
    operatorNamespace: c.operatorNamespace,
    storageClass: c.storageClass,
    backupBucket: c.backupBucket,
    imageRepository: c.imageRepository,
    imagePullSecret: c.imagePullSecret,
  };
  return { settings };
}
