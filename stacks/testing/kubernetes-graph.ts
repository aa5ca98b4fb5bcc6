import { readKubernetesSettings } from "../../components/kubernetes/settings.js";
import { asArray, at, Graph } from "../../components/testing/graph.js";
import type { RecordedResource } from "../../components/testing/mocks.js";
import type { PlatformDeclaration } from "../../services/platform.js";
import type { Capabilities, CloudReading, Grant, InjectedEnvironment, ServiceCapabilities } from "./capabilities.js";
import { allowed, type Endpoint, type NetworkPolicyObject } from "./network-policies.js";
import type { StackRun } from "./run-stack.js";

const K = "kubernetes:";
export const T = {
  namespace: `${K}core/v1:Namespace`,
  deployment: `${K}apps/v1:Deployment`,
  statefulSet: `${K}apps/v1:StatefulSet`,
  service: `${K}core/v1:Service`,
  secret: `${K}core/v1:Secret`,
  hpa: `${K}autoscaling/v2:HorizontalPodAutoscaler`,
  ingress: `${K}networking.k8s.io/v1:Ingress`,
  policy: `${K}networking.k8s.io/v1:NetworkPolicy`,
  pgCluster: `${K}postgresql.cnpg.io/v1:Cluster`,
  kafka: `${K}kafka.strimzi.io/v1beta2:Kafka`,
  kafkaTopic: `${K}kafka.strimzi.io/v1beta2:KafkaTopic`,
  kafkaUser: `${K}kafka.strimzi.io/v1beta2:KafkaUser`,
  rabbit: `${K}rabbitmq.com/v1beta1:RabbitmqCluster`,
  rabbitQueue: `${K}rabbitmq.com/v1beta1:Queue`,
  rabbitExchange: `${K}rabbitmq.com/v1beta1:Exchange`,
  rabbitBinding: `${K}rabbitmq.com/v1beta1:Binding`,
  rabbitUser: `${K}rabbitmq.com/v1beta1:User`,
  rabbitPermission: `${K}rabbitmq.com/v1beta1:Permission`,
} as const;

/** The stack's own secret-store entries hold their value under this key (components/kubernetes/secrets.ts). */
const STACK_SECRET_KEY = "value";

/**
 * Broker credentials: on the clouds a service reaches the broker as its IAM identity; in a
 * cluster it logs in as its own broker user, whose password is a Secret too. They are the
 * broker's identity, not the stack's secret store, so the checks count them apart.
 */
export const BROKER_CREDENTIALS = ["KAFKA_SASL_PASSWORD", "RABBITMQ_URL"] as const;

const STORAGE_GAP =
  'a PersistentVolume is encrypted by its StorageClass (EBS gp3 with encrypted: "true", AKS and GKE disks always), which the cluster owns and the stack cannot see';
const KAFKA_ATTEMPTS_GAP =
  "Kafka has no delivery count: the adapter counts attempts and writes the dead-letter topic after the subscription's maxAttempts from services/platform.ts; the graph holds the dead-letter topic and the ACL, not the count";

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

const meta = (r: RecordedResource) =>
  r.inputs.metadata as { name: string; namespace: string; labels?: Record<string, string> };

/** Every NetworkPolicy the stack creates, as the API server would store it. */
export function policiesOf(graph: Graph): NetworkPolicyObject[] {
  return graph.ofType(T.policy).map((p) => ({ metadata: meta(p), spec: p.inputs.spec as NetworkPolicyObject["spec"] }));
}

/**
 * The pods the stack's objects lead to. Deployments and the Redis StatefulSet give their pod
 * template labels; operator-made pods carry the labels each operator documents for its pods
 * (CloudNativePG `cnpg.io/cluster`, Strimzi `strimzi.io/cluster` with `strimzi.io/broker-role`
 * on brokers, the RabbitMQ Cluster Operator `app.kubernetes.io/name`). Data services get two
 * pods so traffic between their members shows. Outside peers: the ingress controller, cluster
 * DNS, the operators, and "outside" for any address beyond the cluster.
 */
export function endpointsOf(
  graph: Graph,
  settings: { ingressNamespace: string; operatorNamespace: string },
): Endpoint[] {
  const pods: Endpoint[] = [];
  for (const d of [...graph.ofType(T.deployment), ...graph.ofType(T.statefulSet)]) {
    const { name, namespace } = meta(d);
    pods.push({
      name,
      namespace,
      labels: at(d.inputs, "spec", "template", "metadata", "labels") as Record<string, string>,
    });
  }
  const two = (name: string, namespace: string, labels: Record<string, string>) => {
    for (const i of [1, 2]) pods.push({ name: `${name}-${i}`, namespace, labels });
  };
  for (const c of graph.ofType(T.pgCluster)) {
    const { name, namespace } = meta(c);
    two(name, namespace, { "cnpg.io/cluster": name, "cnpg.io/podRole": "instance" });
  }
  for (const k of graph.ofType(T.kafka)) {
    const { name, namespace } = meta(k);
    two(`${name}-dual`, namespace, {
      "strimzi.io/cluster": name,
      "strimzi.io/kind": "Kafka",
      "strimzi.io/broker-role": "true",
      "strimzi.io/controller-role": "true",
    });
    pods.push({
      name: `${name}-entity-operator`,
      namespace,
      labels: { "strimzi.io/cluster": name, "strimzi.io/kind": "Kafka", "strimzi.io/name": `${name}-entity-operator` },
    });
  }
  for (const r of graph.ofType(T.rabbit)) {
    const { name, namespace } = meta(r);
    two(`${name}-server`, namespace, { "app.kubernetes.io/name": name, "app.kubernetes.io/component": "rabbitmq" });
  }
  pods.push(
    {
      name: "ingress-controller",
      namespace: settings.ingressNamespace,
      labels: { "app.kubernetes.io/name": "ingress-nginx" },
    },
    { name: "cluster-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    { name: "operator", namespace: settings.operatorNamespace, labels: { "app.kubernetes.io/name": "operator" } },
    { name: "outside", labels: {} },
  );
  return pods;
}

/** Reads a Kubernetes stack's objects into cloud-neutral capabilities, env and grants. */
export function readGraph(run: StackRun, declaration: PlatformDeclaration): CloudReading {
  const graph = new Graph(run.resources);
  const app = run.settings.appName;
  const settings = readKubernetesSettings((namespace, key) => run.config[`${namespace}:${key}`]);
  const endpoints = endpointsOf(graph, settings);
  const policies = policiesOf(graph);
  const endpoint = (name: string) => endpoints.find((e) => e.name === name);
  const reaches = (from: Endpoint, kind: (e: Endpoint) => boolean, port: number) => {
    const targets = endpoints.filter(kind);
    return targets.length > 0 && targets.every((t) => allowed(policies, from, t, `TCP/${port}`));
  };
  const stackSecret = (ref: { name: string; key: string } | undefined) =>
    ref !== undefined &&
    ref.key === STACK_SECRET_KEY &&
    graph.ofType(T.secret).some((s) => meta(s).name === ref.name && s.inputs.stringData !== undefined);
  const broker = readBroker(graph, app);

  const services: ServiceCapabilities[] = [];
  const environments: Record<string, InjectedEnvironment> = {};
  const grants: Record<string, Grant[]> = {};
  const ownResources: Record<string, string[]> = {};
  for (const deployment of graph.ofType(T.deployment)) {
    const name = meta(deployment).name.slice(`${app}-`.length);
    const container = at(deployment.inputs, "spec", "template", "spec", "containers", 0);
    const env = asArray(at(container, "env")) as EnvVar[];
    const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
    const secretEnv = env.filter((e) => e.valueFrom?.secretKeyRef);
    environments[name] = {
      plain,
      secretNames: secretEnv.map((e) => e.name),
      secretValues: Object.fromEntries(
        secretEnv.flatMap((e) => {
          const ref = e.valueFrom?.secretKeyRef;
          const secret = ref && graph.ofType(T.secret).find((s) => meta(s).name === ref.name);
          const value = ref && at(secret?.inputs, "stringData", ref.key);
          return typeof value === "string" ? [[e.name, value]] : [];
        }),
      ),
      command: [...(asArray(at(container, "command")) as string[]), ...(asArray(at(container, "args")) as string[])],
    };
    const secretRefs = secretEnv.filter((e) => stackSecret(e.valueFrom?.secretKeyRef)).map((e) => e.name);
    const pod = endpoint(meta(deployment).name) as Endpoint;
    const hpa = graph
      .ofType(T.hpa)
      .find((h) => at(h.inputs, "spec", "scaleTargetRef", "name") === meta(deployment).name);
    const svc = graph.ofType(T.service).find((s) => meta(s).name === meta(deployment).name);
    const port = Number(at(svc?.inputs, "spec", "ports", 0, "port"));
    const ingressRoutes = graph
      .ofType(T.ingress)
      .some((i) => JSON.stringify(i.inputs.spec).includes(`"name":"${meta(deployment).name}"`));
    const controller = endpoint("ingress-controller") as Endpoint;
    const userGrants = broker.grantsOf(`${app}-broker-${name}`);
    const pgPods = (e: Endpoint) => e.labels["cnpg.io/podRole"] === "instance";
    const redisPods = (e: Endpoint) => e.name === `${app}-cache-redis`;
    const outside = (e: Endpoint) => e.namespace === undefined;
    const dbPort = graph.ofType(T.pgCluster).length ? 5432 : storedPort(graph, `${app}-database-url`, 5432);
    const cachePort = graph.ofType(T.statefulSet).length ? 6379 : storedPort(graph, `${app}-cache-url`, 6379);
    services.push({
      service: name,
      compute: typeof at(container, "image") === "string",
      public: ingressRoutes && allowed(policies, controller, pod, `TCP/${port}`),
      scaling: {
        min: Number(at(hpa?.inputs, "spec", "minReplicas")),
        max: Number(at(hpa?.inputs, "spec", "maxReplicas")),
        cpuTargetPercent: Number(at(hpa?.inputs, "spec", "metrics", 0, "resource", "target", "averageUtilization")),
      },
      health: {
        liveness: String(at(container, "livenessProbe", "httpGet", "path") ?? ""),
        readiness: String(at(container, "readinessProbe", "httpGet", "path") ?? ""),
      },
      database:
        secretRefs.includes("DATABASE_URL") &&
        reaches(pod, graph.ofType(T.pgCluster).length ? pgPods : outside, dbPort),
      cache:
        secretRefs.includes("CACHE_URL") &&
        reaches(pod, graph.ofType(T.statefulSet).length ? redisPods : outside, cachePort),
      publishes: userGrants.publishes,
      consumes: userGrants.consumes,
      listsTopics: userGrants.exists,
      deadLetters: userGrants.deadLetters,
      secretRefs,
    });
    grants[name] = userGrants.grants;
    ownResources[name] = broker.ownedBy(declaration, name);
  }
  const capabilities: Capabilities = {
    services,
    subscriptions: broker.subscriptions(declaration),
    database: readDatabase(graph, declaration),
    cache: readCache(graph),
  };
  const gaps: Record<string, string> = {
    "database: encrypted at rest": STORAGE_GAP,
    "cache: encrypted at rest": STORAGE_GAP,
  };
  if (graph.ofType(T.kafkaTopic).length > 0) {
    for (const s of declaration.subscriptions) gaps[`subscription ${s.name}`] = KAFKA_ATTEMPTS_GAP;
  }
  return {
    provider: "kubernetes",
    capabilities,
    environments,
    grants,
    ownResources,
    gaps,
    networkGap:
      "the NetworkPolicies are read in stacks/kubernetes-network.test.ts (default deny, then exactly the declared paths), not here",
  };
}

/** The port of the URL an external data service's Secret holds. */
function storedPort(graph: Graph, secretName: string, fallback: number): number {
  const secret = graph.ofType(T.secret).find((s) => meta(s).name === secretName);
  const url = at(secret?.inputs, "stringData", STACK_SECRET_KEY);
  return typeof url === "string" ? Number(new URL(url).port || fallback) : fallback;
}

interface BrokerReading {
  grantsOf(user: string): {
    exists: boolean;
    publishes: string[];
    consumes: string[];
    deadLetters: string[];
    grants: Grant[];
  };
  ownedBy(declaration: PlatformDeclaration, service: string): string[];
  subscriptions(declaration: PlatformDeclaration): Capabilities["subscriptions"];
}

/** Logical names of the broker's objects, from the objects themselves (KafkaTopic, Queue, Exchange). */
function readBroker(graph: Graph, app: string): BrokerReading {
  const prefix = `${app}-broker`;
  const kafkaTopics = new Map(
    graph
      .ofType(T.kafkaTopic)
      .map((t) => [String(at(t.inputs, "spec", "topicName")), t.name.slice(`${prefix}-topic-`.length)]),
  );
  const queues = new Map(graph.ofType(T.rabbitQueue).map((q) => [String(at(q.inputs, "spec", "name")), q]));
  const exchanges = graph.ofType(T.rabbitExchange).map((e) => String(at(e.inputs, "spec", "name")));
  const dlqTopic = (physical: string) => kafkaTopics.get(physical)?.endsWith("-dlq") === true;

  if (graph.ofType(T.kafka).length > 0 || graph.ofType(T.kafkaUser).length > 0) {
    const aclsOf = (user: string) => {
      const kafkaUser = graph.ofType(T.kafkaUser).find((u) => meta(u).name === user);
      return kafkaUser
        ? (asArray(at(kafkaUser.inputs, "spec", "authorization", "acls")) as {
            resource: { type: string; name: string };
            operations: string[];
          }[])
        : undefined;
    };
    const groupSubscription = (group: string) => kafkaTopics.get(`${group}.dlq`)?.replace(/-dlq$/, "");
    return {
      grantsOf(user) {
        const acls = aclsOf(user);
        const topicsWith = (op: string) =>
          (acls ?? [])
            .filter((a) => a.resource.type === "topic" && a.operations.includes(op))
            .map((a) => a.resource.name);
        const written = topicsWith("Write");
        const groups = (acls ?? [])
          .filter((a) => a.resource.type === "group" && a.operations.includes("Read"))
          .map((a) => a.resource.name);
        return {
          exists: acls !== undefined,
          publishes: written.filter((t) => !dlqTopic(t)).map((t) => kafkaTopics.get(t) ?? `unknown:${t}`),
          consumes: groups.map((g) => groupSubscription(g) ?? `unknown:${g}`),
          deadLetters: written.filter(dlqTopic).map((t) => (kafkaTopics.get(t) as string).replace(/-dlq$/, "")),
          grants: (acls ?? []).map((a) => ({
            resource: `${a.resource.type}:${a.resource.name}`,
            access: a.operations.join(","),
          })),
        };
      },
      ownedBy(declaration, service) {
        const own = declaration.services.find((s) => s.name === service);
        if (!own) return [];
        const topicOf = (logical: string) =>
          [...kafkaTopics].find(([, l]) => l === logical)?.[0] ?? `missing:${logical}`;
        return [
          ...own.publishes.map((t) => `topic:${topicOf(t)}`),
          ...own.consumes.flatMap((s) => {
            const sub = declaration.subscriptions.find((d) => d.name === s);
            const dlq = topicOf(`${s}-dlq`);
            return [`topic:${topicOf(sub?.topic ?? "")}`, `group:${dlq.replace(/\.dlq$/, "")}`, `topic:${dlq}`];
          }),
        ];
      },
      subscriptions(declaration) {
        // Kafka has no delivery count; the adapter retries and dead-letters after the subscription's
        // maxAttempts, which the service passes from services/platform.ts (a listed gap in docs/parity.md).
        return declaration.subscriptions.map((s) => {
          const dlq = [...kafkaTopics].find(([, l]) => l === `${s.name}-dlq`)?.[0];
          const group = dlq?.replace(/\.dlq$/, "");
          const topicPhysical = [...kafkaTopics].find(([, l]) => l === s.topic)?.[0];
          const consumers = graph
            .ofType(T.kafkaUser)
            .filter((u) =>
              (
                asArray(at(u.inputs, "spec", "authorization", "acls")) as { resource: { type: string; name: string } }[]
              ).some((a) => a.resource.type === "group" && a.resource.name === group),
            );
          return {
            name: s.name,
            topic: topicPhysical && consumers.length > 0 ? s.topic : "unknown",
            maxAttempts: 0,
            deadLetter: dlq !== undefined,
            // Per-key order: the adapter keys records by the ordering key, and a partition keeps order.
            orderingAsDeclared: true,
          };
        });
      },
    };
  }

  const permissionsOf = (user: string) => {
    const p = graph.ofType(T.rabbitPermission).find((r) => at(r.inputs, "spec", "userReference", "name") === user);
    return p ? (at(p.inputs, "spec", "permissions") as { configure: string; write: string; read: string }) : undefined;
  };
  const logicalQueue = (q: RecordedResource) => q.name.slice(`${prefix}-queue-`.length);
  const workQueues = graph.ofType(T.rabbitQueue).filter((q) => q.name.startsWith(`${prefix}-queue-`));
  return {
    grantsOf(user) {
      const p = permissionsOf(user);
      const test = (pattern: string | undefined, name: string) =>
        pattern !== undefined && new RegExp(pattern).test(name);
      return {
        exists: p !== undefined,
        publishes: exchanges
          .filter((e) => !e.endsWith(".dlx") && test(p?.write, e))
          .map((e) => e.slice(`${prefix}.`.length)),
        consumes: workQueues.filter((q) => test(p?.read, String(at(q.inputs, "spec", "name")))).map(logicalQueue),
        deadLetters: workQueues.filter((q) => test(p?.write, `${at(q.inputs, "spec", "name")}.dlx`)).map(logicalQueue),
        grants: p
          ? [{ resource: `vhost:/ configure ${p.configure} write ${p.write} read ${p.read}`, access: "permission" }]
          : [],
      };
    },
    ownedBy: () => [],
    subscriptions(declaration) {
      return workQueues.map((q) => {
        const name = logicalQueue(q);
        const physical = String(at(q.inputs, "spec", "name"));
        const args = at(q.inputs, "spec", "arguments") as Record<string, unknown>;
        const binding = graph.ofType(T.rabbitBinding).find((b) => at(b.inputs, "spec", "destination") === physical);
        const dlx = String(args["x-dead-letter-exchange"]);
        const dlqBound = graph
          .ofType(T.rabbitBinding)
          .some(
            (b) => at(b.inputs, "spec", "source") === dlx && queues.has(String(at(b.inputs, "spec", "destination"))),
          );
        const declared = declaration.subscriptions.find((s) => s.name === name);
        return {
          name,
          topic: String(at(binding?.inputs, "spec", "source")).slice(`${prefix}.`.length),
          maxAttempts: Number(args["x-delivery-limit"]),
          deadLetter: exchanges.includes(dlx) && dlqBound,
          // A quorum queue with one consumer per key keeps order; the adapter serialises per key.
          orderingAsDeclared: !declared?.ordered || at(q.inputs, "spec", "type") === "quorum",
        };
      });
    },
  };
}

function readDatabase(graph: Graph, declaration: PlatformDeclaration) {
  const pg = graph.ofType(T.pgCluster)[0];
  if (!pg) return { private: false, tls: false, encryptedAtRest: false, protectedAccess: false };
  const spec = pg.inputs.spec as Record<string, unknown>;
  const services = graph.ofType(T.service).filter((s) => JSON.stringify(s.inputs).includes(meta(pg).name));
  return {
    // CloudNativePG's Services are ClusterIP; the stack adds no LoadBalancer or NodePort for them.
    private: services.every((s) => at(s.inputs, "spec", "type") === "ClusterIP"),
    tls:
      (asArray(at(spec, "postgresql", "pg_hba")) as string[]).every((rule) => rule.startsWith("hostssl")) &&
      at(spec, "certificates", "serverTLSSecret") !== undefined,
    // A PersistentVolume is encrypted by its StorageClass, which the stack does not choose (listed gap).
    encryptedAtRest: false,
    protectedAccess:
      at(spec, "backup", "retentionPolicy") === `${declaration.database.backupRetentionDays}d` &&
      at(spec, "backup", "barmanObjectStore", "destinationPath") !== undefined,
  };
}

function readCache(graph: Graph) {
  const redis = graph.ofType(T.statefulSet)[0];
  if (!redis) return { private: false, tls: false, encryptedAtRest: false, protectedAccess: false };
  const args = asArray(at(redis.inputs, "spec", "template", "spec", "containers", 0, "args")) as string[];
  const arg = (flag: string) => args[args.indexOf(flag) + 1];
  const services = graph
    .ofType(T.service)
    .filter((s) => at(s.inputs, "spec", "selector", "app.kubernetes.io/name") === meta(redis).name);
  return {
    private: services.length > 0 && services.every((s) => at(s.inputs, "spec", "type") === "ClusterIP"),
    tls: arg("--port") === "0" && arg("--tls-port") !== undefined && arg("--tls-cert-file") !== undefined,
    encryptedAtRest: false,
    protectedAccess: arg("--requirepass") === "$(REDIS_PASSWORD)",
  };
}
