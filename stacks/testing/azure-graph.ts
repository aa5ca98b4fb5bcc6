import { readServiceBusConfig } from "../../adapters/azure-service-bus/config.js";
import { openedEntities } from "../../adapters/azure-service-bus/names.js";
import { roleOf } from "../../components/azure/roles.js";
import { asArray, at, Graph } from "../../components/testing/graph.js";
import type { RecordedResource } from "../../components/testing/mocks.js";
import type { PlatformDeclaration } from "../../services/platform.js";
import {
  type Capabilities,
  type CloudReading,
  type Grant,
  type InjectedEnvironment,
  type ServiceCapabilities,
  secretVariables,
} from "./capabilities.js";
import type { StackRun } from "./run-stack.js";

const T = {
  app: "azure-native:app:ContainerApp",
  environment: "azure-native:app:ManagedEnvironment",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  topic: "azure-native:servicebus:Topic",
  subscription: "azure-native:servicebus:Subscription",
  secret: "azure-native:keyvault:Secret",
  registry: "azure-native:containerregistry:Registry",
  server: "azure-native:dbforpostgresql:Server",
  serverParameter: "azure-native:dbforpostgresql:Configuration",
  redis: "azure-native:redisenterprise:RedisEnterprise",
  redisDatabase: "azure-native:redisenterprise:Database",
  endpoint: "azure-native:network:PrivateEndpoint",
} as const;

const SECRET_ENV: Record<string, string> = {
  "database-url": "DATABASE_URL",
  "cache-url": "CACHE_URL",
  "jwt-key": "JWT_PRIVATE_KEY",
};

interface Env {
  readonly name: string;
  readonly value?: string;
  readonly secretRef?: string;
}

interface AppSecret {
  readonly name: string;
  readonly keyVaultUrl?: string;
  readonly identity?: string;
  readonly value?: string;
}

/** Reads an Azure stack's resource graph into cloud-neutral capabilities, env and grants. */
export function readGraph(run: StackRun, declaration: PlatformDeclaration): CloudReading {
  const graph = new Graph(run.resources);
  const app = run.settings.appName;
  const strip = (name: string, prefix: string) =>
    name.startsWith(prefix) ? name.slice(prefix.length) : `unknown:${name}`;
  const byId = (type: string, id: string) => graph.ofType(type).find((r) => r.id === id);
  const broker = (type: string, id: string) => {
    const r = byId(type, id);
    return r ? strip(r.name, `${app}-broker-`) : `unknown:${id}`;
  };
  /** The env variable a Key Vault secret holds, from the secret's id or URI. */
  const secretEnvName = (secret: RecordedResource | undefined) => {
    const key = secret ? strip(secret.name, `${app}-`).replace(/-secret$/, "") : "";
    return SECRET_ENV[key] ?? `unknown:${secret?.id}`;
  };
  const secretByUri = (uri: string) =>
    graph.ofType(T.secret).find((s) => String(at(s.state, "properties", "secretUriWithVersion")) === uri);
  const networked = graph
    .ofType(T.environment)
    .some((e) => typeof at(e.inputs, "vnetConfiguration", "infrastructureSubnetId") === "string");

  const services: ServiceCapabilities[] = [];
  const environments: Record<string, InjectedEnvironment> = {};
  const grants: Record<string, Grant[]> = {};
  const ownResources: Record<string, string[]> = {};
  const opened: Record<string, string[]> = {};

  for (const resource of graph.ofType(T.app)) {
    const name = strip(resource.name, `${app}-`).replace(/-app$/, "");
    const container = at(resource.inputs, "template", "containers", 0);
    const envs = asArray(at(container, "env")) as Env[];
    const appSecrets = asArray(at(resource.inputs, "configuration", "secrets")) as AppSecret[];
    const identityIds = asArray(at(resource.inputs, "identity", "userAssignedIdentities")).map(String);
    const identity = graph.ofType(T.identity).find((i) => identityIds.includes(i.id));
    // A secret counts as a reference only when Key Vault holds it and the app's own identity reads it.
    const reference = (e: Env) => {
      const secret = appSecrets.find((s) => s.name === e.secretRef);
      return secret?.keyVaultUrl !== undefined &&
        secret.value === undefined &&
        identityIds.includes(String(secret.identity))
        ? secretByUri(secret.keyVaultUrl)
        : undefined;
    };
    const plain = Object.fromEntries(envs.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
    const secretEnv = envs.filter((e) => e.secretRef !== undefined);
    environments[name] = {
      plain,
      secretNames: secretEnv.map((e) => e.name),
      // What Container Apps fills in at start: the value Key Vault holds at the referenced version.
      secretValues: Object.fromEntries(
        secretEnv.flatMap((e) => {
          const value = at(reference(e)?.inputs, "properties", "value");
          return typeof value === "string" ? [[e.name, value]] : [];
        }),
      ),
      command: [...(asArray(at(container, "command")) as string[]), ...(asArray(at(container, "args")) as string[])],
    };

    const roles = graph.ofType(T.role).filter((r) => identity && r.inputs.principalId === identity.state.principalId);
    const scopes = (role: string) =>
      roles.filter((r) => roleOf(String(r.inputs.roleDefinitionId)) === role).map((r) => String(r.inputs.scope));
    const readable = new Set(scopes("keyVaultSecretsUser").map((id) => secretEnvName(byId(T.secret, id))));
    const secretNames = secretEnv
      .filter((e) => secretEnvName(reference(e)) === e.name && readable.has(e.name))
      .map((e) => e.name);
    const consumes = scopes("serviceBusDataReceiver").map((id) => broker(T.subscription, id));
    const publishes = scopes("serviceBusDataSender").map((id) => broker(T.topic, id));
    const probe = (type: string) =>
      String(
        at(
          (asArray(at(container, "probes")) as { type?: string }[]).find((p) => p.type === type),
          "httpGet",
          "path",
        ) ?? "",
      );
    const scale = at(resource.inputs, "template", "scale");
    const cpuRule = (asArray(at(scale, "rules")) as unknown[]).find((r) => at(r, "custom", "type") === "cpu");
    services.push({
      service: name,
      compute: typeof at(container, "image") === "string",
      public: at(resource.inputs, "configuration", "ingress", "external") === true,
      scaling: {
        min: Number(at(scale, "minReplicas")),
        max: Number(at(scale, "maxReplicas")),
        cpuTargetPercent: Number(at(cpuRule, "custom", "metadata", "value")),
      },
      health: { liveness: probe("Liveness"), readiness: probe("Readiness") },
      database: networked && secretNames.includes("DATABASE_URL"),
      cache: networked && secretNames.includes("CACHE_URL"),
      publishes,
      consumes,
      // The adapter's health check opens a link to one of its own entities, which its data roles cover.
      listsTopics: publishes.length > 0 || consumes.length > 0,
      // A subscription's dead-letter queue is its own sub-queue: the receiver role covers it.
      deadLetters: consumes,
      secretRefs: secretNames,
    });
    grants[name] = roles.map((r) => ({
      resource: String(r.inputs.scope),
      access: roleOf(String(r.inputs.roleDefinitionId)) ?? `unknown role ${String(r.inputs.roleDefinitionId)}`,
    }));
    ownResources[name] = ownedBy(graph, app, declaration, name);
    const registries = (asArray(at(resource.inputs, "configuration", "registries")) as { server?: string }[]).map(
      (r) =>
        graph.ofType(T.registry).find((g) => g.state.loginServer === r.server)?.id ?? `missing:registry ${r.server}`,
    );
    opened[name] = [
      ...registries,
      ...serviceBusOpened(graph, { ...plain, ...environments[name]?.secretValues }),
      ...secretEnv.map((e) => reference(e)?.id ?? `missing:Key Vault secret behind ${e.name}`),
    ];
  }

  const capabilities: Capabilities = {
    services,
    subscriptions: readSubscriptions(graph, app, declaration, (id) => broker(T.topic, id)),
    database: readDatabase(graph, declaration),
    cache: readCache(graph),
  };
  return {
    provider: "azure",
    capabilities,
    environments,
    grants,
    ownResources,
    opened,
    networkGap:
      "every app runs in the one Container Apps environment subnet and the VNet has no security group telling apps apart, so each reaches the database's and the cache's private addresses; only the password, which an app that does not use them never receives, keeps it out",
  };
}

/** What the declaration says this service may use, as Azure resource ids, plus the registry it pulls from. */
function ownedBy(graph: Graph, app: string, declaration: PlatformDeclaration, service: string): string[] {
  const own = declaration.services.find((s) => s.name === service);
  if (!own) return [];
  const idOf = (type: string, name: string) => graph.named(type, name).id;
  return [
    ...graph.ofType(T.registry).map((r) => r.id),
    ...own.publishes.map((t) => idOf(T.topic, `${app}-broker-${t}`)),
    ...own.consumes.map((s) => idOf(T.subscription, `${app}-broker-${s}`)),
    ...secretVariables(own).map((v) => {
      const key = Object.keys(SECRET_ENV).find((k) => SECRET_ENV[k] === v);
      return idOf(T.secret, `${app}-${key}-secret`);
    }),
  ];
}

function readSubscriptions(
  graph: Graph,
  app: string,
  declaration: PlatformDeclaration,
  topicName: (id: string) => string,
) {
  return graph.ofType(T.subscription).map((subscription) => {
    const name = subscription.name.slice(`${app}-broker-`.length);
    const topic = graph
      .ofType(T.topic)
      .find(
        (t) =>
          t.state.name === subscription.inputs.topicName &&
          t.inputs.namespaceName === subscription.inputs.namespaceName,
      );
    const declaredOrdered = declaration.subscriptions.find((s) => s.name === name)?.ordered ?? false;
    return {
      name,
      topic: topic ? topicName(topic.id) : `unknown:${String(subscription.inputs.topicName)}`,
      maxAttempts: Number(subscription.inputs.maxDeliveryCount),
      // Every subscription has its $DeadLetterQueue; what matters is that messages reach it
      // after maxDeliveryCount and on expiry, and that nothing forwards them elsewhere.
      deadLetter:
        Number(subscription.inputs.maxDeliveryCount) > 0 &&
        subscription.inputs.deadLetteringOnMessageExpiration === true &&
        subscription.inputs.forwardDeadLetteredMessagesTo === undefined,
      orderingAsDeclared: !declaredOrdered || subscription.inputs.requiresSession === true,
    };
  });
}

function readDatabase(graph: Graph, declaration: PlatformDeclaration) {
  const [server] = graph.ofType(T.server);
  if (!server) throw new Error("[taskflow] [graph] the Azure stack has no PostgreSQL server");
  const parameter = (key: string) =>
    graph
      .ofType(T.serverParameter)
      .find((c) => c.inputs.serverName === server.state.name && c.inputs.configurationName === key)?.inputs.value;
  const network = at(server.inputs, "network");
  return {
    private:
      at(network, "publicNetworkAccess") === "Disabled" &&
      typeof at(network, "delegatedSubnetResourceId") === "string" &&
      typeof at(network, "privateDnsZoneArmResourceId") === "string",
    tls: parameter("require_secure_transport") === "on",
    // Flexible Server always encrypts storage at rest; there is no setting to turn it off.
    encryptedAtRest: true,
    protectedAccess:
      Number(at(server.inputs, "backup", "backupRetentionDays")) === declaration.database.backupRetentionDays,
  };
}

function readCache(graph: Graph) {
  const [cluster] = graph.ofType(T.redis);
  const database = graph.ofType(T.redisDatabase).find((d) => d.inputs.clusterName === cluster?.state.name);
  if (!cluster || !database)
    throw new Error("[taskflow] [graph] the Azure stack has no Managed Redis cluster and database");
  const reachedPrivately = graph
    .ofType(T.endpoint)
    .some((e) =>
      (asArray(e.inputs.privateLinkServiceConnections) as unknown[]).some(
        (c) => at(c, "privateLinkServiceId") === cluster.id,
      ),
    );
  return {
    private: cluster.inputs.publicNetworkAccess === "Disabled" && reachedPrivately,
    tls: database.inputs.clientProtocol === "Encrypted" && cluster.inputs.minimumTlsVersion === "1.2",
    // Azure Managed Redis always encrypts data at rest.
    encryptedAtRest: true,
    protectedAccess: database.inputs.accessKeysAuthentication === "Enabled",
  };
}

/**
 * The Service Bus entities the adapter opens, as Azure resource ids: what its own config parser
 * reads from the app's environment, resolved by `openedEntities` (a sender per topic, a receiver
 * per subscription and one on its dead-letter sub-queue, which the subscription's id covers).
 */
export function serviceBusOpened(graph: Graph, env: Record<string, string>): string[] {
  const entities = openedEntities(readServiceBusConfig(env));
  const topics = entities.send.map(
    (path) => graph.ofType(T.topic).find((t) => t.state.name === path)?.id ?? `missing:topic ${path}`,
  );
  const subscriptions = entities.receive.map((path) => {
    const [topic, , subscription] = path.split("/");
    return (
      graph.ofType(T.subscription).find((s) => s.inputs.topicName === topic && s.state.name === subscription)?.id ??
      `missing:subscription ${path}`
    );
  });
  return [...topics, ...new Set(subscriptions)];
}
