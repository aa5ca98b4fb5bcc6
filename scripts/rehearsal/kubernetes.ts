import { PrivateRabbitNode, rabbitPasswordHash } from "../../adapters/rabbitmq/private-node.js";
import { asArray, at, type Graph } from "../../components/testing/graph.js";
import type { RecordedResource } from "../../components/testing/mocks.js";
import { T } from "../../stacks/testing/kubernetes-graph.js";
import type { ThrowAwayCa } from "./certificates.js";
import type { Address, BrokerStandIn, ManagedEndpoints, RehearsalTarget } from "./target.js";

/** CloudNativePG's read-write Service (`<cluster>-rw`) and PostgreSQL's port. */
const CNPG_PORT = 5432;
/** The RabbitMQ Cluster Operator's client Service ports: AMQPS with TLS, AMQP without. */
const AMQPS_PORT = 5671;
const AMQP_PORT = 5672;

interface Meta {
  readonly name: string;
  readonly namespace: string;
}
const meta = (r: RecordedResource) => r.inputs.metadata as Meta;
/** The name a pod resolves for a Service in its namespace. */
const serviceHost = (name: string, namespace: string) => `${name}.${namespace}.svc`;

function fail(message: string): never {
  throw new Error(`[taskflow] [rehearsal] ${message}`);
}

/** `key` of the Secret `name` as the stack writes it (stringData). */
function secretValue(graph: Graph, name: string, key: string): string {
  const secret = graph.ofType(T.secret).find((s) => meta(s).name === name);
  const value = at(secret?.inputs, "stringData", key);
  return typeof value === "string" ? value : fail(`the graph has no Secret ${name} with a value under "${key}"`);
}

/** The in-cluster RabbitMQ the graph declares: its client Service and whether it speaks TLS only. */
function rabbitCluster(graph: Graph): { name: string; address: Address & { tls: boolean } } | undefined {
  const clusters = graph.ofType(T.rabbit);
  if (clusters.length > 1) fail(`the graph declares ${clusters.length} RabbitmqClusters; the rehearsal serves one`);
  const cluster = clusters[0];
  if (!cluster) return undefined;
  const { name, namespace } = meta(cluster);
  const tls = at(cluster.inputs, "spec", "tls", "secretName") !== undefined;
  if (tls && at(cluster.inputs, "spec", "tls", "disableNonTLSListeners") !== true)
    fail(`RabbitmqCluster ${name} keeps a plain AMQP listener beside TLS; the rehearsal serves one listener`);
  return { name, address: { host: serviceHost(name, namespace), port: tls ? AMQPS_PORT : AMQP_PORT, tls } };
}

/**
 * The RabbitMQ definitions (`rabbitmqctl export_definitions` format) of exactly the graph's
 * messaging-topology objects: exchanges, queues (quorum as declared, with their dead-letter
 * exchange and delivery limit), bindings, and each User with the password of the Secret it
 * imports, with its Permission. Every object must name the graph's cluster.
 */
export function rabbitDefinitions(graph: Graph, cluster: string): Record<string, unknown[]> {
  const specs = (type: string) =>
    graph.ofType(type).map((r) => {
      const spec = r.inputs.spec as Record<string, unknown>;
      const reference = at(spec, "rabbitmqClusterReference", "name");
      if (reference !== cluster)
        fail(`${r.type.split(":").at(-1)} ${meta(r).name} names cluster ${reference}, not ${cluster}`);
      return { name: meta(r).name, spec, vhost: String(spec.vhost ?? "/") };
    });
  const users = new Map(
    specs(T.rabbitUser).map((u) => {
      const secret = String(at(u.spec, "importCredentialsSecret", "name"));
      return [
        u.name,
        {
          name: secretValue(graph, secret, "username"),
          password: secretValue(graph, secret, "password"),
          tags: (asArray(u.spec.tags) as string[]).join(","),
        },
      ];
    }),
  );
  const permissions = specs(T.rabbitPermission).map((p) => {
    const user = users.get(String(at(p.spec, "userReference", "name")));
    if (!user) fail(`Permission ${p.name} names user ${at(p.spec, "userReference", "name")}, which the graph lacks`);
    const granted = p.spec.permissions as { configure?: string; write?: string; read?: string };
    return {
      user: user.name,
      vhost: p.vhost,
      configure: granted.configure ?? "",
      write: granted.write ?? "",
      read: granted.read ?? "",
    };
  });
  const exchanges = specs(T.rabbitExchange).map((e) => ({
    name: String(e.spec.name),
    vhost: e.vhost,
    type: String(e.spec.type ?? "direct"),
    durable: e.spec.durable !== false,
    auto_delete: e.spec.autoDelete === true,
    internal: false,
    arguments: (e.spec.arguments as Record<string, unknown> | undefined) ?? {},
  }));
  const queues = specs(T.rabbitQueue).map((q) => ({
    name: String(q.spec.name),
    vhost: q.vhost,
    durable: q.spec.durable !== false,
    auto_delete: q.spec.autoDelete === true,
    arguments: {
      ...((q.spec.arguments as Record<string, unknown> | undefined) ?? {}),
      ...(q.spec.type === undefined ? {} : { "x-queue-type": q.spec.type }),
    },
  }));
  const bindings = specs(T.rabbitBinding).map((b) => ({
    source: String(b.spec.source),
    vhost: b.vhost,
    destination: String(b.spec.destination),
    destination_type: String(b.spec.destinationType ?? "queue"),
    routing_key: String(b.spec.routingKey ?? ""),
    arguments: (b.spec.arguments as Record<string, unknown> | undefined) ?? {},
  }));
  const vhosts = new Set([...permissions, ...exchanges, ...queues, ...bindings].map((o) => o.vhost));
  return {
    users: [...users.values()].map((u) => ({
      name: u.name,
      password_hash: rabbitPasswordHash(u.password),
      hashing_algorithm: "rabbit_password_hashing_sha256",
      tags: u.tags,
    })),
    vhosts: [...vhosts].map((name) => ({ name })),
    permissions,
    exchanges,
    queues,
    bindings,
  };
}

export const kubernetes: RehearsalTarget = {
  provider: "kubernetes",
  // RabbitMQ runs on this machine; Kafka does not (its variant is checked statically instead).
  settings: { "taskflow:broker": "rabbitmq" },
  // In a cluster every TLS peer is verified against the stack's own CA, handed over in a *_TLS_CA
  // variable; nothing is checked against public roots, so a missing CA must fail here too.
  publicRoots: false,

  endpoints(graph: Graph, app: string): ManagedEndpoints {
    const pg = graph.ofType(T.pgCluster)[0] ?? fail("the graph has no CloudNativePG Cluster (in-cluster PostgreSQL)");
    const initdb = at(pg.inputs, "spec", "bootstrap", "initdb") as
      | { database: string; owner: string; secret: { name: string } }
      | undefined;
    if (!initdb) fail(`Cluster ${meta(pg).name} bootstraps no database`);
    const redis = graph.ofType(T.statefulSet)[0] ?? fail("the graph has no Redis StatefulSet (in-cluster cache)");
    const redisEnv = asArray(at(redis.inputs, "spec", "template", "spec", "containers", 0, "env")) as {
      name: string;
      valueFrom?: { secretKeyRef?: { name: string; key: string } };
    }[];
    const auth = redisEnv.find((e) => e.name === "REDIS_PASSWORD")?.valueFrom?.secretKeyRef;
    if (!auth) fail(`StatefulSet ${meta(redis).name} takes no REDIS_PASSWORD from a Secret`);
    const redisService = graph
      .ofType(T.service)
      .find((s) => at(s.inputs, "spec", "selector", "app.kubernetes.io/name") === meta(redis).name);
    if (!redisService) fail(`no Service selects the Redis pods of ${meta(redis).name}`);

    const services: Record<string, ManagedEndpoints["services"][string]> = {};
    for (const deployment of graph.ofType(T.deployment)) {
      const { name, namespace } = meta(deployment);
      const service = graph.ofType(T.service).find((s) => meta(s).name === name);
      if (!service) fail(`Deployment ${name} has no Service`);
      services[name.slice(`${app}-`.length)] = {
        host: serviceHost(meta(service).name, namespace),
        port: Number(at(service.inputs, "spec", "ports", 0, "port")),
        tls: false,
        via: `its ${at(service.inputs, "spec", "type") ?? "ClusterIP"} Service`,
      };
    }
    const rabbit = rabbitCluster(graph);
    return {
      database: {
        host: serviceHost(`${meta(pg).name}-rw`, meta(pg).namespace),
        port: CNPG_PORT,
        user: initdb.owner,
        password: secretValue(graph, initdb.secret.name, "password"),
        name: initdb.database,
      },
      cache: {
        host: serviceHost(meta(redisService).name, meta(redisService).namespace),
        port: Number(at(redisService.inputs, "spec", "ports", 0, "port")),
        password: secretValue(graph, auth.name, auth.key),
      },
      services,
      ...(rabbit ? { broker: rabbit.address } : {}),
    };
  },

  async startBroker(graph: Graph, _app: string, ca: ThrowAwayCa): Promise<BrokerStandIn> {
    if (graph.ofType(T.kafka).length > 0)
      fail(
        "the stack's broker is Kafka, and no Kafka broker runs on this machine; rehearse with taskflow:broker rabbitmq (the Kafka variant is checked statically by stacks/kubernetes-kafka-acl.test.ts)",
      );
    const rabbit = rabbitCluster(graph) ?? fail("the graph has no RabbitmqCluster (in-cluster RabbitMQ)");
    const definitions = rabbitDefinitions(graph, rabbit.name);
    const node = await PrivateRabbitNode.start(30_000, { ...(rabbit.address.tls ? { tls: ca } : {}), definitions });
    const queues = definitions.queues as { name: string; arguments: Record<string, unknown> }[];
    const quorum = queues.filter((q) => q.arguments["x-queue-type"] === "quorum").length;
    const deadLettered = queues.filter((q) => q.arguments["x-dead-letter-exchange"] !== undefined).length;
    return {
      env: {},
      port: node.port,
      addresses: new Set([
        ...(definitions.exchanges as { name: string }[]).map((e) => e.name),
        ...queues.map((q) => q.name),
      ]),
      summary: `a private RabbitMQ node (${rabbit.address.tls ? "AMQPS only" : "AMQP"}, node ${node.nodeName}) with the graph's ${definitions.exchanges?.length} exchanges, ${queues.length} queues (${quorum} quorum, ${deadLettered} with a dead-letter exchange and delivery limit), ${definitions.bindings?.length} bindings and ${definitions.users?.length} users with their generated passwords and permissions, and no other user`,
      stop: () => node.destroy(),
    };
  },
};
