import { PrivateRabbitNode } from "../../adapters/rabbitmq/private-node.js";
import { asArray, at, type Graph } from "../../components/testing/graph.js";
import { serviceBusEntityProblems } from "../../stacks/testing/azure-entities.js";
import type { BrokerStandIn, ManagedEndpoints, RehearsalTarget } from "./target.js";

const T = {
  server: "azure-native:dbforpostgresql:Server",
  database: "azure-native:dbforpostgresql:Database",
  redis: "azure-native:redisenterprise:RedisEnterprise",
  redisDatabase: "azure-native:redisenterprise:Database",
  secret: "azure-native:keyvault:Secret",
  app: "azure-native:app:ContainerApp",
  environment: "azure-native:app:ManagedEnvironment",
  topic: "azure-native:servicebus:Topic",
  subscription: "azure-native:servicebus:Subscription",
} as const;

/** Flexible Server listens on the standard port only. */
const FLEXIBLE_SERVER_PORT = 5432;
/** Container Apps ingress serves HTTPS on 443 and hands plain HTTP to the container's port. */
const INGRESS_PORT = 443;

/** The value Key Vault holds for `${app}-<key>-secret`. */
function vaultValue(graph: Graph, app: string, key: string): string {
  const value = at(graph.named(T.secret, `${app}-${key}-secret`).inputs, "properties", "value");
  if (typeof value !== "string") throw new Error(`[taskflow] [rehearsal] Key Vault holds no value for ${key}`);
  return value;
}

/** `rediss://:<key>@host:port` → the access key, as the cache's Key Vault secret stores it. */
function accessKey(cacheUrl: string): string {
  return decodeURIComponent(new URL(cacheUrl).password);
}

/** Each app's plain environment variables as its container gets them, by service. */
function plainEnvironments(graph: Graph, app: string): Record<string, Record<string, string>> {
  return Object.fromEntries(
    graph.ofType(T.app).map((resource) => {
      const env = asArray(at(resource.inputs, "template", "containers", 0, "env")) as {
        name: string;
        value?: string;
      }[];
      return [
        resource.name.slice(`${app}-`.length).replace(/-app$/, ""),
        Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string])),
      ];
    }),
  );
}

export const azure: RehearsalTarget = {
  provider: "azure",

  endpoints(graph: Graph, app: string): ManagedEndpoints {
    const server = graph.named(T.server, `${app}-db-server`);
    const database = graph.ofType(T.database).find((d) => d.inputs.serverName === server.state.name);
    if (!database) throw new Error(`[taskflow] [rehearsal] the graph has no database on server ${server.state.name}`);
    const cluster = graph.named(T.redis, `${app}-cache-redis`);
    const redisDatabase = graph.ofType(T.redisDatabase).find((d) => d.inputs.clusterName === cluster.state.name);
    if (!redisDatabase)
      throw new Error(`[taskflow] [rehearsal] the graph has no database on Redis ${cluster.state.name}`);
    // EnterpriseCluster puts one endpoint in front of the shards, which a plain (non-cluster) client uses.
    if (redisDatabase.inputs.clusteringPolicy !== "EnterpriseCluster")
      throw new Error(
        `[taskflow] [rehearsal] Managed Redis clustering policy ${String(redisDatabase.inputs.clusteringPolicy)}: the stand-in serves EnterpriseCluster's single endpoint only`,
      );
    const [environment] = graph.ofType(T.environment);
    const domain = String(environment?.state.defaultDomain);
    const services: Record<string, ManagedEndpoints["services"][string]> = {};
    for (const resource of graph.ofType(T.app)) {
      const ingress = at(resource.inputs, "configuration", "ingress");
      if (ingress === undefined) continue;
      // The rehearsal gives each service a free PORT; in Azure the ingress and probes must hit the one it is given.
      const container = at(resource.inputs, "template", "containers", 0);
      const port = (asArray(at(container, "env")) as { name: string; value?: string }[]).find(
        (e) => e.name === "PORT",
      )?.value;
      const probePorts = (asArray(at(container, "probes")) as unknown[]).map((p) => at(p, "httpGet", "port"));
      for (const [what, value] of [
        ["ingress targetPort", at(ingress, "targetPort")],
        ...probePorts.map((v) => ["probe port", v]),
      ])
        if (String(value) !== port)
          throw new Error(
            `[taskflow] [rehearsal] ${resource.name}: ${what} ${String(value)} is not the PORT ${port} its container listens on`,
          );
      // How the other apps reach this one: https://<app>.internal.<environment's domain>.
      const host = `${String(resource.inputs.containerAppName)}.internal.${domain}`;
      services[resource.name.slice(`${app}-`.length).replace(/-app$/, "")] = { host, port: INGRESS_PORT, tls: true };
    }
    return {
      database: {
        host: String(server.state.fullyQualifiedDomainName),
        port: FLEXIBLE_SERVER_PORT,
        user: String(server.inputs.administratorLogin),
        // What the server is created with; the apps' DATABASE_URL, from Key Vault, must carry the same.
        password: String(server.inputs.administratorLoginPassword),
        name: String(database.inputs.databaseName),
      },
      cache: {
        host: String(cluster.state.hostName),
        port: Number(redisDatabase.inputs.port),
        // The access key Azure lists for the database, as the cache URL in Key Vault carries it.
        password: accessKey(vaultValue(graph, app, "cache-url")),
      },
      services,
    };
  },

  async startBroker(graph: Graph, app: string): Promise<BrokerStandIn> {
    // Service Bus has no emulator without Docker and the adapter's fake lives inside one process,
    // so the broker itself is not rehearsed: what can be checked is that every entity each app
    // opens exists in the graph with that app's identity holding the role on it.
    const problems = Object.entries(plainEnvironments(graph, app))
      .filter(([, env]) => env.BROKER_TOPICS !== undefined || env.BROKER_SUBSCRIPTIONS !== undefined)
      .flatMap(([service, env]) => serviceBusEntityProblems(graph, app, service, env));
    if (problems.length > 0) throw new Error(`[taskflow] [rehearsal] Service Bus entities: ${problems.join("; ")}`);
    const topics = graph.ofType(T.topic).map((t) => String(t.state.name));
    const subscriptions = graph
      .ofType(T.subscription)
      .map((s) => `${String(s.inputs.topicName)}/Subscriptions/${String(s.state.name)}`);
    const node = await PrivateRabbitNode.start();
    return {
      // The apps run the RabbitMQ adapter in place of Service Bus, with the graph's entity names.
      env: { BROKER: "rabbitmq", RABBITMQ_URL: node.url },
      swaps: [
        {
          what: "broker NOT REHEARSED: Service Bus swapped for RabbitMQ",
          from: "BROKER unset (azure-service-bus, Entra ID sign-in with AZURE_CLIENT_ID)",
          to: `BROKER=rabbitmq, RABBITMQ_URL=${node.url} (a private node; the graph's topic and subscription names)`,
        },
      ],
      addresses: new Set([...topics, ...subscriptions]),
      summary: `Service Bus NOT REHEARSED (no emulator without Docker); statically checked instead: every entity the apps open (${topics.length} topics, ${subscriptions.length} subscriptions and their dead-letter sub-queues) exists in the graph, with the app's own identity holding Data Sender or Data Receiver on it. The services run the RabbitMQ adapter on a private RabbitMQ node, with the graph's entity names, so that they start and the walkthrough runs`,
      stop: () => node.destroy(),
    };
  },
};
