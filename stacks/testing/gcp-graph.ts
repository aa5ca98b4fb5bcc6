import { readPubSubConfig } from "../../adapters/gcp-pubsub/config.js";
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
  run: "gcp:cloudrunv2/service:Service",
  runIam: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  topic: "gcp:pubsub/topic:Topic",
  subscription: "gcp:pubsub/subscription:Subscription",
  topicIam: "gcp:pubsub/topicIAMMember:TopicIAMMember",
  subscriptionIam: "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
  secret: "gcp:secretmanager/secret:Secret",
  secretVersion: "gcp:secretmanager/secretVersion:SecretVersion",
  secretIam: "gcp:secretmanager/secretIamMember:SecretIamMember",
  projectIam: "gcp:projects/iAMMember:IAMMember",
  sql: "gcp:sql/databaseInstance:DatabaseInstance",
  redis: "gcp:redis/instance:Instance",
} as const;

const SECRET_ENV: Record<string, string> = {
  "database-url": "DATABASE_URL",
  "cache-url": "CACHE_URL",
  "jwt-key": "JWT_PRIVATE_KEY",
};

interface Env {
  readonly name: string;
  readonly value?: string;
  readonly valueSource?: { secretKeyRef?: { secret: string; version: string } };
}

/** Reads a GCP stack's resource graph into cloud-neutral capabilities, env and grants. */
export function readGraph(run: StackRun, declaration: PlatformDeclaration): CloudReading {
  const graph = new Graph(run.resources);
  const app = run.settings.appName;
  const strip = (name: string, prefix: string) =>
    name.startsWith(prefix) ? name.slice(prefix.length) : `unknown:${name}`;
  const broker = (r: RecordedResource | undefined, id: string) =>
    r ? strip(r.name, `${app}-broker-`) : `unknown:${id}`;
  const topicName = (id: string) => broker(graph.withOutput(T.topic, "id", id), id);
  const subscriptionName = (id: string) => broker(graph.withOutput(T.subscription, "id", id), id);
  const secretEnvName = (secretId: string) => {
    const secret = graph.ofType(T.secret).find((s) => s.inputs.secretId === secretId);
    const key = secret ? strip(secret.name, `${app}-`).replace(/-secret$/, "") : secretId;
    return SECRET_ENV[key] ?? `unknown:${secretId}`;
  };

  const services: ServiceCapabilities[] = [];
  const environments: Record<string, InjectedEnvironment> = {};
  const grants: Record<string, Grant[]> = {};
  const ownResources: Record<string, string[]> = {};
  const opened: Record<string, string[]> = {};

  for (const service of graph.ofType(T.run)) {
    const name = strip(service.name, `${app}-`).replace(/-service$/, "");
    const template = service.inputs.template;
    const container = at(template, "containers", 0);
    const envs = asArray(at(container, "envs")) as Env[];
    // Cloud Run sets PORT from the container port; the container sees it like any other variable.
    const port = String(at(container, "ports", "containerPort"));
    const plain = Object.fromEntries([
      ["PORT", port],
      ...envs.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
    ]);
    const secretEnv = envs.filter((e) => e.valueSource?.secretKeyRef);
    const stored = (secretId: string) => {
      const secret = graph.ofType(T.secret).find((s) => s.inputs.secretId === secretId);
      const version = secret && graph.ofType(T.secretVersion).find((v) => v.inputs.secret === secret.id);
      return typeof version?.inputs.secretData === "string" ? version.inputs.secretData : undefined;
    };
    environments[name] = {
      plain,
      secretNames: secretEnv.map((e) => e.name),
      secretValues: Object.fromEntries(
        secretEnv.flatMap((e) => {
          const value = stored(String(e.valueSource?.secretKeyRef?.secret));
          return value === undefined ? [] : [[e.name, value]];
        }),
      ),
      command: [...(asArray(at(container, "commands")) as string[]), ...(asArray(at(container, "args")) as string[])],
    };
    opened[name] = openedBy(
      graph,
      { ...plain, ...environments[name]?.secretValues },
      secretEnv.map((e) => String(e.valueSource?.secretKeyRef?.secret)),
    );

    const member = `serviceAccount:${at(template, "serviceAccount")}`;
    const bindings = [
      ...graph.ofType(T.topicIam),
      ...graph.ofType(T.subscriptionIam),
      ...graph.ofType(T.secretIam),
      ...graph.ofType(T.projectIam),
    ].filter((b) => b.inputs.member === member);
    // The one project-wide role allowed: Pub/Sub metadata for the adapter's health check.
    const isListing = (b: RecordedResource) => b.type === T.projectIam && b.inputs.role === "roles/pubsub.viewer";
    const boundTo = (type: string, role: string, key: string) =>
      bindings.filter((b) => b.type === type && b.inputs.role === role).map((b) => String(b.inputs[key]));
    const published = boundTo(T.topicIam, "roles/pubsub.publisher", "topic").map(topicName);
    const readable = new Set(boundTo(T.secretIam, "roles/secretmanager.secretAccessor", "secretId").map(secretEnvName));
    const secretNames = secretEnv
      .filter((e) => secretEnvName(String(e.valueSource?.secretKeyRef?.secret)) === e.name)
      .map((e) => e.name);
    const egress = asArray(at(template, "vpcAccess", "networkInterfaces")).length > 0;
    const publicInvoker = graph
      .ofType(T.runIam)
      .some(
        (b) =>
          b.inputs.name === service.state.name &&
          b.inputs.member === "allUsers" &&
          b.inputs.role === "roles/run.invoker",
      );

    services.push({
      service: name,
      compute: typeof at(container, "image") === "string",
      // Reachable from the internet: all ingress, and anyone may invoke (allUsers, or no IAM check at all).
      public:
        service.inputs.ingress === "INGRESS_TRAFFIC_ALL" &&
        (publicInvoker || service.inputs.invokerIamDisabled === true),
      scaling: {
        min: Number(at(template, "scaling", "minInstanceCount")),
        max: Number(at(template, "scaling", "maxInstanceCount")),
        cpuTargetPercent: Math.round(Number(at(template, "scaling", "cpuUtilization")) * 100),
      },
      health: {
        liveness: String(at(container, "livenessProbe", "httpGet", "path") ?? ""),
        readiness: String(at(container, "startupProbe", "httpGet", "path") ?? ""),
      },
      database: egress && secretNames.includes("DATABASE_URL") && readable.has("DATABASE_URL"),
      cache: egress && secretNames.includes("CACHE_URL") && readable.has("CACHE_URL"),
      publishes: published.filter((t) => !t.endsWith("-dlq")),
      consumes: boundTo(T.subscriptionIam, "roles/pubsub.subscriber", "subscription").map(subscriptionName),
      listsTopics: bindings.some(isListing),
      deadLetters: published.filter((t) => t.endsWith("-dlq")).map((t) => t.slice(0, -4)),
      secretRefs: secretNames.filter((n) => readable.has(n)),
    });
    grants[name] = bindings
      .filter((b) => !isListing(b))
      .map((b) => ({
        resource: String(
          b.inputs.topic ?? b.inputs.subscription ?? b.inputs.secretId ?? `projects/${b.inputs.project}`,
        ),
        access: String(b.inputs.role),
      }));
    ownResources[name] = ownedBy(graph, app, declaration, name);
  }

  const capabilities: Capabilities = {
    services,
    subscriptions: readSubscriptions(graph, app, declaration, topicName),
    database: readDatabase(graph, app, declaration),
    cache: readCache(graph, app),
  };
  return {
    provider: "gcp",
    capabilities,
    environments,
    grants,
    ownResources,
    opened,
    networkGap:
      "Cloud Run services egress into the VPC as a whole, so each reaches every private address there (the database's and the cache's); only the password, which a service that does not use them never receives, keeps it out",
  };
}

/**
 * What a service's runtime opens, as GCP ids: the topics and subscriptions the Pub/Sub
 * adapter's own config parser reads from its environment, each subscription's dead-letter
 * topic (the adapter reads it from the subscription's policy), and the secrets Cloud Run reads
 * for it at start.
 */
function openedBy(graph: Graph, env: Record<string, string>, secretIds: readonly string[]): string[] {
  const config = readPubSubConfig(env);
  const subscriptions = Object.values(config.subscriptions ?? {}).flatMap((path) => {
    const subscription = graph.withOutput(T.subscription, "id", path);
    if (!subscription) return [`missing:subscription ${path}`];
    const deadLetter = String(at(subscription.inputs, "deadLetterPolicy", "deadLetterTopic"));
    return [path, graph.withOutput(T.topic, "id", deadLetter) ? deadLetter : `missing:dead-letter topic ${deadLetter}`];
  });
  return [
    ...Object.values(config.topics ?? {}).map((path) =>
      graph.withOutput(T.topic, "id", path) ? path : `missing:topic ${path}`,
    ),
    ...subscriptions,
    ...secretIds.map((id) =>
      graph.ofType(T.secret).some((s) => s.inputs.secretId === id) ? id : `missing:secret ${id}`,
    ),
  ];
}

/** What the declaration says this service may use, as GCP ids: topics, subscriptions, DLQ topics, secrets. */
function ownedBy(graph: Graph, app: string, declaration: PlatformDeclaration, service: string): string[] {
  const own = declaration.services.find((s) => s.name === service);
  if (!own) return [];
  const idOf = (type: string, name: string) => graph.named(type, name).id;
  return [
    ...own.publishes.map((t) => idOf(T.topic, `${app}-broker-${t}`)),
    ...own.consumes.flatMap((s) => [
      idOf(T.subscription, `${app}-broker-${s}`),
      idOf(T.topic, `${app}-broker-${s}-dlq`),
    ]),
    ...secretVariables(own).map((v) => {
      const key = Object.keys(SECRET_ENV).find((k) => SECRET_ENV[k] === v);
      return String(graph.named(T.secret, `${app}-${key}-secret`).inputs.secretId);
    }),
  ];
}

function readSubscriptions(
  graph: Graph,
  app: string,
  declaration: PlatformDeclaration,
  topicName: (id: string) => string,
) {
  const agent = (r: RecordedResource) => String(r.inputs.member).includes("@gcp-sa-pubsub.iam.gserviceaccount.com");
  return graph
    .ofType(T.subscription)
    .filter((s) => !s.name.endsWith("-dlq"))
    .map((subscription) => {
      const name = subscription.name.slice(`${app}-broker-`.length);
      const deadLetterTopic = String(at(subscription.inputs, "deadLetterPolicy", "deadLetterTopic"));
      // Pub/Sub drops what is published to a topic without subscriptions, so the DLQ needs one.
      const retained = graph.ofType(T.subscription).some((s) => s.inputs.topic === deadLetterTopic);
      const agentPublishes = graph
        .ofType(T.topicIam)
        .some((b) => b.inputs.topic === deadLetterTopic && b.inputs.role === "roles/pubsub.publisher" && agent(b));
      const agentSubscribes = graph
        .ofType(T.subscriptionIam)
        .some(
          (b) => b.inputs.subscription === subscription.id && b.inputs.role === "roles/pubsub.subscriber" && agent(b),
        );
      const declaredOrdered = declaration.subscriptions.find((s) => s.name === name)?.ordered ?? false;
      return {
        name,
        topic: topicName(String(subscription.inputs.topic)),
        maxAttempts: Number(at(subscription.inputs, "deadLetterPolicy", "maxDeliveryAttempts")),
        deadLetter:
          graph.withOutput(T.topic, "id", deadLetterTopic) !== undefined &&
          retained &&
          agentPublishes &&
          agentSubscribes,
        orderingAsDeclared: !declaredOrdered || subscription.inputs.enableMessageOrdering === true,
      };
    });
}

function readDatabase(graph: Graph, app: string, declaration: PlatformDeclaration) {
  const sql = graph.named(T.sql, `${app}-db-instance`);
  const ip = at(sql.inputs, "settings", "ipConfiguration");
  const backups = at(sql.inputs, "settings", "backupConfiguration");
  return {
    private:
      at(ip, "ipv4Enabled") === false &&
      typeof at(ip, "privateNetwork") === "string" &&
      asArray(at(ip, "authorizedNetworks")).length === 0,
    tls: at(ip, "sslMode") === "ENCRYPTED_ONLY",
    // Cloud SQL always encrypts storage at rest; there is no setting to turn it off.
    encryptedAtRest: true,
    protectedAccess:
      at(backups, "enabled") === true &&
      Number(at(backups, "backupRetentionSettings", "retainedBackups")) === declaration.database.backupRetentionDays,
  };
}

function readCache(graph: Graph, app: string) {
  const redis = graph.named(T.redis, `${app}-cache-redis`);
  return {
    private:
      redis.inputs.connectMode === "PRIVATE_SERVICE_ACCESS" && typeof redis.inputs.authorizedNetwork === "string",
    tls: redis.inputs.transitEncryptionMode === "SERVER_AUTHENTICATION",
    // Memorystore always encrypts data at rest; there is no setting to turn it off.
    encryptedAtRest: true,
    protectedAccess: redis.inputs.authEnabled === true,
  };
}
