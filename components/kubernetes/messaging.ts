import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type {
  Messaging,
  MessagingArgs,
  SubscriptionArgs,
  SubscriptionRef,
  TopicArgs,
  TopicRef,
} from "../api/messaging.js";
import { type BrokerAccess, type KubernetesContext, LABELS } from "./context.js";
import { installOperator } from "./operators.js";
import { dataServicePolicy } from "./policies.js";
import { StackAuthority } from "./tls.js";

export const KAFKA_TLS_PORT = 9093;
/** Strimzi's control-plane and replication listeners, which the brokers, controllers and operators share. */
const KAFKA_INTERNAL_PORTS = [9090, 9091];
export const AMQPS_PORT = 5671;
/** The management API over TLS, which the Messaging Topology Operator calls. */
const RABBITMQ_MANAGEMENT_TLS_PORT = 15671;
/** Erlang distribution and peer discovery between RabbitMQ nodes. */
const RABBITMQ_PEER_PORTS = [4369, 25672];

export interface KubernetesMessagingArgs extends MessagingArgs {
  readonly context: KubernetesContext;
  /** Kafka brokers (controllers and brokers in one node pool) or RabbitMQ nodes. @default 3 */
  readonly replicas?: number;
}

const ref = (address: string): { address: pulumi.Output<string>; id: pulumi.Output<string> } => ({
  address: pulumi.output(address),
  id: pulumi.output(address),
});

/**
 * The broker. Kafka (the default) via Strimzi in KRaft mode with one node pool: a `KafkaTopic`
 * per declared topic and, because Kafka has no dead-letter queue of its own, one per
 * subscription named as the adapter derives it (`<group>.dlq`); each service gets a `KafkaUser`
 * (SCRAM-SHA-512) whose ACLs name exactly its topics, groups and dead-letter topics. RabbitMQ
 * (`taskflow:broker rabbitmq`) via the Cluster Operator and the Messaging Topology Operator: a
 * topic exchange per topic, a quorum queue per subscription with a dead-letter exchange and a
 * delivery limit, bindings, and a `User` + `Permission` per service. External brokers
 * (`taskflow:kafkaBrokers`, `taskflow:rabbitmqUrl`) get names only; nothing is created.
 */
export class KubernetesMessaging extends pulumi.ComponentResource implements Messaging {
  readonly topics: Record<string, TopicRef> = {};
  readonly subscriptions: Record<string, SubscriptionRef> = {};
  readonly adapterEnvironment: Record<string, string>;

  constructor(
    private readonly name: string,
    private readonly args: KubernetesMessagingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:kubernetes:Messaging", name, {}, opts);
    const { context } = args;
    const { broker, external } = context.settings;
    if (broker === "kafka") {
      this.nameKafka();
      if (external.kafkaBrokers) {
        this.adapterEnvironment = { BROKER: "kafka", KAFKA_BROKERS: external.kafkaBrokers, KAFKA_AUTO_CREATE: "false" };
        context.setPeer("broker", {
          kind: "external",
          port: Number(external.kafkaBrokers.split(",")[0]?.split(":")[1]),
        });
        // Users and ACLs of an external cluster (MSK, Event Hubs, Confluent) are that cluster's own.
        context.setBroker({ grant: () => ({ environment: {}, secretEnvironment: {} }) });
      } else {
        this.adapterEnvironment = this.createKafka();
      }
    } else {
      this.nameRabbit();
      if (external.rabbitmqUrl) {
        const url = new URL(external.rabbitmqUrl);
        this.adapterEnvironment = { BROKER: "rabbitmq", RABBITMQ_AUTO_CREATE: "false" };
        context.setPeer("broker", {
          kind: "external",
          port: Number(url.port || (url.protocol === "amqps:" ? AMQPS_PORT : 5672)),
        });
        context.setBroker(externalRabbit(this.name, context, external.rabbitmqUrl));
      } else {
        this.adapterEnvironment = this.createRabbit();
      }
    }
    this.registerOutputs({ topics: this.topics, subscriptions: this.subscriptions });
  }

  get kafkaCluster(): string {
    return `${this.name}-kafka`;
  }

  get rabbitCluster(): string {
    return `${this.name}-rabbitmq`;
  }

  /**
   * Physical names, the same whether the cluster is ours or external. Topics keep their logical
   * names: a consumer's adapter receives only its groups (BROKER_SUBSCRIPTIONS), and finds a
   * topic it does not publish under its logical name.
   */
  private nameKafka(): void {
    for (const topic of this.args.topics) this.topics[topic.name] = ref(topic.name);
    for (const s of this.args.subscriptions) {
      const group = `${this.name}.${s.topic}.${s.name}`;
      this.subscriptions[s.name] = { ...ref(group), deadLetter: ref(`${group}.dlq`) };
    }
  }

  private nameRabbit(): void {
    for (const topic of this.args.topics) this.topics[topic.name] = ref(`${this.name}.${topic.name}`);
    for (const s of this.args.subscriptions) {
      const queue = `${this.name}.${s.topic}.${s.name}`;
      this.subscriptions[s.name] = { ...ref(queue), deadLetter: ref(`${queue}.dlq`) };
    }
  }

  private createKafka(): Record<string, string> {
    const { context } = this.args;
    const cluster = this.kafkaCluster;
    const replicas = this.args.replicas ?? 3;
    const ready = installOperator(context, this.name, "strimzi", this);
    const inCluster = { parent: this, dependsOn: ready };
    const bootstrap = `${cluster}-kafka-bootstrap`;
    const tlsSecret = `${cluster}-listener-tls`;
    const secret = context.authority.serverSecret(
      `${this.name}-kafka`,
      tlsSecret,
      [
        ...StackAuthority.serviceNames(bootstrap, context.namespace),
        `*.${cluster}-kafka-brokers.${context.namespace}.svc`,
      ],
      this,
    );
    const clusterLabel = { "strimzi.io/cluster": cluster };
    const custom = (
      name: string,
      kind: string,
      metadataName: string,
      spec: Record<string, unknown>,
      deps: pulumi.Resource[] = [],
    ) =>
      new k8s.apiextensions.CustomResource(
        name,
        { apiVersion: "kafka.strimzi.io/v1beta2", kind, metadata: context.meta(metadataName, clusterLabel), spec },
        { ...inCluster, dependsOn: [...ready, ...deps] },
      );
    const pool = custom(`${this.name}-node-pool`, "KafkaNodePool", `${cluster}-dual`, {
      replicas,
      roles: ["controller", "broker"],
      storage: {
        type: "jbod",
        volumes: [
          {
            id: 0,
            type: "persistent-claim",
            size: "20Gi",
            deleteClaim: false,
            kraftMetadata: "shared",
            ...(context.settings.storageClass ? { class: context.settings.storageClass } : {}),
          },
        ],
      },
      resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "2Gi" } },
    });
    const clients = { podSelector: { matchLabels: { [LABELS.broker]: "true" } } };
    const kafka = custom(
      `${this.name}-kafka`,
      "Kafka",
      cluster,
      {
        kafka: {
          listeners: [
            {
              name: "tls",
              port: KAFKA_TLS_PORT,
              type: "internal",
              tls: true,
              authentication: { type: "scram-sha-512" },
              configuration: {
                brokerCertChainAndKey: { secretName: tlsSecret, certificate: "tls.crt", key: "tls.key" },
              },
              // Strimzi writes its own NetworkPolicy for the listener; this keeps it to the same clients as ours.
              networkPolicyPeers: [clients],
            },
          ],
          authorization: { type: "simple" },
          config: {
            "offsets.topic.replication.factor": Math.min(3, replicas),
            "transaction.state.log.replication.factor": Math.min(3, replicas),
            "transaction.state.log.min.isr": Math.min(2, replicas),
            "default.replication.factor": Math.min(3, replicas),
            "min.insync.replicas": Math.min(2, replicas),
            "auto.create.topics.enable": false,
          },
        },
        entityOperator: { topicOperator: {}, userOperator: {} },
      },
      [pool, secret],
    );
    const retentionMs = (days: number) => days * 24 * 3_600_000;
    const topic = (name: string, topicName: string, retentionDays: number) =>
      custom(
        `${this.name}-topic-${name}`,
        "KafkaTopic",
        topicName.replaceAll(".", "-").toLowerCase(),
        {
          topicName,
          partitions: 6,
          replicas: Math.min(3, replicas),
          config: { "retention.ms": retentionMs(retentionDays), "min.insync.replicas": Math.min(2, replicas) },
        },
        [kafka],
      );
    for (const t of this.args.topics) topic(t.name, t.name, this.args.retentionDays ?? 7);
    for (const s of this.args.subscriptions) {
      topic(`${s.name}-dlq`, `${this.name}.${s.topic}.${s.name}.dlq`, this.args.deadLetterRetentionDays ?? 14);
    }
    const brokers = { ...clusterLabel, "strimzi.io/broker-role": "true" };
    dataServicePolicy(
      context,
      this.name,
      `${cluster}-access`,
      {
        selector: clusterLabel,
        servingSelector: brokers,
        clientLabel: LABELS.broker,
        clientPorts: [KAFKA_TLS_PORT],
        peerPorts: [...KAFKA_INTERNAL_PORTS, KAFKA_TLS_PORT],
        operatorPorts: KAFKA_INTERNAL_PORTS,
        // The entity operator (topics, users) watches the API server.
        apiServer: true,
      },
      this,
    );
    context.setPeer("broker", { kind: "pods", selector: brokers, port: KAFKA_TLS_PORT });
    const topicOfGroup = new Map(this.args.subscriptions.map((s) => [`${this.name}.${s.topic}.${s.name}`, s.topic]));
    context.setBroker(kafkaUsers(this.name, context, cluster, topicOfGroup, [kafka]));
    return {
      BROKER: "kafka",
      KAFKA_BROKERS: `${bootstrap}.${context.namespace}.svc:${KAFKA_TLS_PORT}`,
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_AUTO_CREATE: "false",
    };
  }

  private createRabbit(): Record<string, string> {
    const { context } = this.args;
    const cluster = this.rabbitCluster;
    const ready = installOperator(context, this.name, "rabbitmq", this);
    const tlsSecret = `${cluster}-tls`;
    const secret = context.authority.serverSecret(
      `${this.name}-rabbitmq`,
      tlsSecret,
      [...StackAuthority.serviceNames(cluster, context.namespace), `*.${cluster}-nodes.${context.namespace}.svc`],
      this,
    );
    const rabbit = new k8s.apiextensions.CustomResource(
      `${this.name}-rabbitmq`,
      {
        apiVersion: "rabbitmq.com/v1beta1",
        kind: "RabbitmqCluster",
        metadata: context.meta(cluster),
        spec: {
          replicas: this.args.replicas ?? 3,
          tls: { secretName: tlsSecret, disableNonTLSListeners: true },
          persistence: {
            storage: "10Gi",
            ...(context.settings.storageClass ? { storageClassName: context.settings.storageClass } : {}),
          },
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
        },
      },
      { parent: this, dependsOn: [...ready, secret] },
    );
    const topology = (name: string, kind: string, metadataName: string, spec: Record<string, unknown>) =>
      new k8s.apiextensions.CustomResource(
        name,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind,
          metadata: context.meta(metadataName.replaceAll(".", "-").toLowerCase()),
          spec: { ...spec, rabbitmqClusterReference: { name: cluster } },
        },
        { parent: this, dependsOn: [rabbit] },
      );
    for (const t of this.args.topics) {
      topology(`${this.name}-exchange-${t.name}`, "Exchange", `${this.name}.${t.name}`, {
        name: `${this.name}.${t.name}`,
        type: "topic",
        durable: true,
        vhost: "/",
      });
    }
    for (const s of this.args.subscriptions) rabbitSubscription(this.name, s, this.args.topics, topology);
    const selector = { [LABELS.name]: cluster };
    dataServicePolicy(
      context,
      this.name,
      `${cluster}-access`,
      {
        selector,
        clientLabel: LABELS.broker,
        clientPorts: [AMQPS_PORT],
        peerPorts: RABBITMQ_PEER_PORTS,
        operatorPorts: [RABBITMQ_MANAGEMENT_TLS_PORT],
        // Peer discovery lists the cluster's endpoints through the API server.
        apiServer: true,
      },
      this,
    );
    context.setPeer("broker", { kind: "pods", selector, port: AMQPS_PORT });
    context.setBroker(rabbitUsers(this.name, context, cluster, `${cluster}.${context.namespace}.svc`, [rabbit]));
    return { BROKER: "rabbitmq", RABBITMQ_AUTO_CREATE: "false" };
  }
}

type Topology = (
  name: string,
  kind: string,
  metadataName: string,
  spec: Record<string, unknown>,
) => k8s.apiextensions.CustomResource;

/** A quorum queue bound to its topic's exchange, dead-lettering to its own exchange and queue. */
function rabbitSubscription(name: string, s: SubscriptionArgs, topics: readonly TopicArgs[], topology: Topology): void {
  if (!topics.some((t) => t.name === s.topic)) {
    throw new Error(`[taskflow] [kubernetes] subscription "${s.name}" names topic "${s.topic}", which is not declared`);
  }
  const queue = `${name}.${s.topic}.${s.name}`;
  const dlx = `${queue}.dlx`;
  const vhost = "/";
  topology(`${name}-dlx-${s.name}`, "Exchange", dlx, { name: dlx, type: "fanout", durable: true, vhost });
  topology(`${name}-dlq-${s.name}`, "Queue", `${queue}.dlq`, {
    name: `${queue}.dlq`,
    type: "quorum",
    durable: true,
    vhost,
  });
  topology(`${name}-dlq-binding-${s.name}`, "Binding", `${queue}.dlq.binding`, {
    source: dlx,
    destination: `${queue}.dlq`,
    destinationType: "queue",
    routingKey: "",
    vhost,
  });
  topology(`${name}-queue-${s.name}`, "Queue", queue, {
    name: queue,
    type: "quorum",
    durable: true,
    vhost,
    arguments: { "x-dead-letter-exchange": dlx, "x-delivery-limit": s.maxAttempts },
  });
  topology(`${name}-binding-${s.name}`, "Binding", `${queue}.binding`, {
    source: `${name}.${s.topic}`,
    destination: queue,
    destinationType: "queue",
    routingKey: "#",
    vhost,
  });
}

const escapeRegex = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Regular expressions of a RabbitMQ user's permissions: exactly the names the adapter touches. */
export function rabbitPermissions(publishes: readonly string[], consumes: readonly string[]) {
  const retries = consumes.map((q) => `${escapeRegex(q)}\\.retry\\.[0-9]+`);
  const retryPattern = retries.length ? `|${retries.join("|")}` : "";
  return {
    // The adapter declares a subscription's retry queues (one per delay tier) on first use.
    configure: consumes.length ? `^(${retries.join("|")})$` : "^$",
    // Publish to its topics; move a message to a retry queue or its subscription's dead-letter exchange.
    write:
      publishes.length || consumes.length
        ? `^(${[...publishes.map(escapeRegex), ...consumes.map((q) => `${escapeRegex(q)}\\.dlx`), ...(consumes.length ? ["amq\\.default"] : [])].join("|")}${retryPattern})$`
        : "^$",
    // Consume its queues; bind a retry queue back to them.
    read: consumes.length ? `^(${[...consumes.map(escapeRegex)].join("|")}${retryPattern})$` : "^$",
  };
}

function rabbitUsers(
  name: string,
  context: KubernetesContext,
  cluster: string,
  host: string,
  deps: pulumi.Resource[],
): BrokerAccess {
  return {
    grant(service, publishes, consumes, parent) {
      const user = `${name}-${service}`;
      const password = new random.RandomPassword(`${user}-broker-password`, { length: 32, special: false }, { parent });
      const inNamespace = { parent, dependsOn: context.dependsOnNamespace };
      const secretName = `${user}-rabbitmq`;
      new k8s.core.v1.Secret(
        `${user}-broker-credentials`,
        {
          metadata: context.meta(secretName),
          stringData: {
            username: user,
            password: password.result,
            url: pulumi.interpolate`amqps://${user}:${password.result}@${host}:${AMQPS_PORT}`,
          },
        },
        inNamespace,
      );
      const reference = { rabbitmqClusterReference: { name: cluster } };
      new k8s.apiextensions.CustomResource(
        `${user}-broker-user`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "User",
          metadata: context.meta(user),
          spec: { ...reference, importCredentialsSecret: { name: secretName } },
        },
        { parent, dependsOn: deps },
      );
      new k8s.apiextensions.CustomResource(
        `${user}-broker-permission`,
        {
          apiVersion: "rabbitmq.com/v1beta1",
          kind: "Permission",
          metadata: context.meta(`${user}-permission`),
          spec: {
            ...reference,
            vhost: "/",
            userReference: { name: user },
            permissions: pulumi
              .all([pulumi.all(publishes.map((t) => t.address)), pulumi.all(consumes.map((s) => s.address))])
              .apply(([p, c]) => rabbitPermissions(p, c)),
          },
        },
        { parent, dependsOn: deps },
      );
      return {
        // The AMQPS listener's certificate is signed by the stack's CA, which Node does not trust by default.
        environment: { RABBITMQ_TLS_CA: context.authority.certificatePem },
        secretEnvironment: { RABBITMQ_URL: { secretName, key: "url" } },
      };
    },
  };
}

/** An external RabbitMQ: every service uses the one URL from `taskflow:rabbitmqUrl`, held in a Secret. */
function externalRabbit(name: string, context: KubernetesContext, url: string): BrokerAccess {
  let created = false;
  const secretName = `${name}-rabbitmq-url`;
  return {
    grant(_service, _publishes, _consumes, parent) {
      if (!created) {
        new k8s.core.v1.Secret(
          `${name}-rabbitmq-url`,
          { metadata: context.meta(secretName), stringData: { url: pulumi.secret(url) } },
          { parent, dependsOn: context.dependsOnNamespace },
        );
        created = true;
      }
      return { environment: {}, secretEnvironment: { RABBITMQ_URL: { secretName, key: "url" } } };
    },
  };
}

/** The ACLs of one service's KafkaUser: write its topics; read its groups' topics, commit in its groups, write their dead-letter topics. */
export function kafkaAcls(
  publishes: readonly string[],
  consumes: readonly { topic: string; group: string; deadLetter: string }[],
) {
  const topic = (name: string, operations: string[]) => ({
    resource: { type: "topic", name, patternType: "literal" },
    operations,
    host: "*",
  });
  return [
    ...publishes.map((t) => topic(t, ["Write", "Describe"])),
    ...consumes.flatMap((c) => [
      topic(c.topic, ["Read", "Describe"]),
      {
        resource: { type: "group", name: c.group, patternType: "literal" },
        operations: ["Read", "Describe"],
        host: "*",
      },
      topic(c.deadLetter, ["Write", "Describe"]),
    ]),
  ];
}

function kafkaUsers(
  name: string,
  context: KubernetesContext,
  cluster: string,
  topicOfGroup: ReadonlyMap<string, string>,
  deps: pulumi.Resource[],
): BrokerAccess {
  return {
    grant(service, publishes, consumes, parent) {
      const user = `${name}-${service}`;
      const acls = pulumi
        .all([
          pulumi.all(publishes.map((t) => t.address)),
          pulumi.all(consumes.map((s) => pulumi.all([s.address, s.deadLetter.address]))),
        ])
        .apply(([topics, groups]) =>
          kafkaAcls(
            topics,
            groups.map(([group, deadLetter]) => {
              const topic = topicOfGroup.get(group);
              if (!topic)
                throw new Error(
                  `[taskflow] [kubernetes] consumer group "${group}" belongs to no declared subscription`,
                );
              return { topic, group, deadLetter };
            }),
          ),
        );
      new k8s.apiextensions.CustomResource(
        `${user}-kafka-user`,
        {
          apiVersion: "kafka.strimzi.io/v1beta2",
          kind: "KafkaUser",
          metadata: context.meta(user, { "strimzi.io/cluster": cluster }),
          spec: { authentication: { type: "scram-sha-512" }, authorization: { type: "simple", acls } },
        },
        { parent, dependsOn: deps },
      );
      // The User Operator writes the SCRAM password to a Secret named after the user.
      return {
        // The listener's certificate is signed by the stack's CA, which Node does not trust by default.
        environment: { KAFKA_SASL_USERNAME: user, KAFKA_TLS_CA: context.authority.certificatePem },
        secretEnvironment: { KAFKA_SASL_PASSWORD: { secretName: user, key: "password" } },
      };
    },
  };
}
