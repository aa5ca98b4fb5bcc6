import { beforeAll, describe, expect, it } from "vitest";
import { readRabbitMqOptions } from "../adapters/rabbitmq/config.js";
import { rabbitPermissions } from "../components/kubernetes/messaging.js";
import { readKubernetesSettings } from "../components/kubernetes/settings.js";
import { asArray, at, Graph } from "../components/testing/graph.js";
import { parseServiceEnv } from "../services/kernel/env.js";
import { platform } from "../services/platform.js";
import { capabilityFacts, expectedCapabilities } from "./testing/capabilities.js";
import { containerEnvironment, describePlatformChecks, storedDatabaseUrl, useMockedStack } from "./testing/checks.js";
import { readStack } from "./testing/read-stack.js";
import { runStack, testConfig } from "./testing/run-stack.js";

describe("Kubernetes stack under mocks", () => {
  const stack = useMockedStack("kubernetes");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;

  // Adapted where the concept differs: broker credentials are a per-service Secret (the broker
  // user's password) beside the stack's secrets, and the listed gaps (StorageClass encryption,
  // Kafka's attempt count kept by the adapter) are compared apart; see kubernetes-graph.ts.
  describePlatformChecks("kubernetes", stack);

  it("creates the expected objects, counted by kind", () => {
    const services = platform.services.length;
    expect(graph().countsByType()).toMatchObject({
      "kubernetes:core/v1:Namespace": 1,
      "kubernetes:apps/v1:Deployment": services,
      "kubernetes:core/v1:ServiceAccount": services,
      "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": services,
      "kubernetes:policy/v1:PodDisruptionBudget": services,
      "kubernetes:networking.k8s.io/v1:Ingress": 1,
      "kubernetes:postgresql.cnpg.io/v1:Cluster": 1,
      "kubernetes:apps/v1:StatefulSet": 1,
      "kubernetes:kafka.strimzi.io/v1beta2:Kafka": 1,
      "kubernetes:kafka.strimzi.io/v1beta2:KafkaNodePool": 1,
      "kubernetes:kafka.strimzi.io/v1beta2:KafkaTopic": platform.topics.length + platform.subscriptions.length,
      "kubernetes:kafka.strimzi.io/v1beta2:KafkaUser": services,
      "kubernetes:helm.sh/v3:Release": 2,
    });
  });

  it("labels the namespace for Pod Security restricted", () => {
    const ns = graph().ofType("kubernetes:core/v1:Namespace")[0];
    expect(at(ns?.inputs, "metadata", "labels")).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
    });
  });

  it.each(platform.services.map((s) => [s.name]))("%s runs restricted, probed, sized and spread", (name) => {
    const declared = platform.services.find((s) => s.name === name);
    const d = graph().named("kubernetes:apps/v1:Deployment", `${app()}-${name}-deployment`);
    const pod = at(d.inputs, "spec", "template", "spec") as Record<string, unknown>;
    const container = at(pod, "containers", 0);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(at(container, "securityContext")).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(at(container, "volumeMounts")).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(at(container, "resources")).toEqual({
      requests: { cpu: "250m", memory: "512Mi" },
      limits: { memory: "512Mi" },
    });
    expect(at(container, "startupProbe", "httpGet", "path")).toBe(declared?.health.readinessPath);
    expect(at(container, "args")).toEqual([`dist/services/${name}/main.js`]);
    expect((asArray(pod.topologySpreadConstraints) as { topologyKey: string }[]).map((t) => t.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
    const account = graph().named("kubernetes:core/v1:ServiceAccount", `${app()}-${name}-sa`);
    expect(account.inputs.automountServiceAccountToken).toBe(false);
    // No literal value of a secret: each one is a secretKeyRef.
    for (const e of asArray(at(container, "env")) as { name: string; value?: string }[]) {
      if (["DATABASE_URL", "CACHE_URL", "JWT_PRIVATE_KEY", "KAFKA_SASL_PASSWORD"].includes(e.name))
        expect(e.value).toBeUndefined();
    }
  });

  it("routes the Ingress to the gateway only, with the host and cert-manager TLS from config", () => {
    const [ingress] = graph().ofType("kubernetes:networking.k8s.io/v1:Ingress");
    expect(at(ingress?.inputs, "metadata", "annotations")).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(at(ingress?.inputs, "spec", "tls")).toEqual([{ hosts: ["tasks.example.com"], secretName: "taskflow-tls" }]);
    expect(at(ingress?.inputs, "spec", "rules", 0, "http", "paths", 0, "backend", "service", "name")).toBe(
      `${app()}-gateway`,
    );
    expect(stack().run.outputs.publicUrl).toBe("https://tasks.example.com");
  });

  it("verifies PostgreSQL by name with the stack's CA, and keeps backups as declared", () => {
    const pg = graph().ofType("kubernetes:postgresql.cnpg.io/v1:Cluster")[0];
    expect(at(pg?.inputs, "spec", "instances")).toBe(2);
    expect(at(pg?.inputs, "spec", "storage", "size")).toBe(`${platform.database.storageGb}Gi`);
    expect(at(pg?.inputs, "spec", "backup", "retentionPolicy")).toBe(`${platform.database.backupRetentionDays}d`);
    const tasks = containerEnvironment(stack().reading, "tasks");
    expect(tasks.DATABASE_TLS_CA).toContain("BEGIN CERTIFICATE");
  });

  it("grants each KafkaUser exactly its topics, groups and dead-letter topics", () => {
    const user = graph().named("kubernetes:kafka.strimzi.io/v1beta2:KafkaUser", `${app()}-broker-tasks-kafka-user`);
    const acls = at(user.inputs, "spec", "authorization", "acls") as {
      resource: { type: string; name: string };
      operations: string[];
    }[];
    const b = `${app()}-broker`;
    expect(acls.map((a) => `${a.resource.type}:${a.resource.name}:${a.operations.join("+")}`).sort()).toEqual(
      [
        "topic:task-events:Write+Describe",
        "topic:task-events:Read+Describe",
        `group:${b}.task-events.tasks-activity:Read+Describe`,
        `topic:${b}.task-events.tasks-activity.dlq:Write+Describe`,
        "topic:user-events:Read+Describe",
        `group:${b}.user-events.tasks-user-events:Read+Describe`,
        `topic:${b}.user-events.tasks-user-events.dlq:Write+Describe`,
      ].sort(),
    );
    const env = containerEnvironment(stack().reading, "tasks");
    expect(env).toMatchObject({
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: `${b}-tasks`,
    });
    expect(stack().reading.environments.tasks?.secretNames).toContain("KAFKA_SASL_PASSWORD");
  });
});

describe("Kubernetes stack with taskflow:broker rabbitmq", () => {
  let graph: Graph;
  let run: Awaited<ReturnType<typeof runStack>>;
  beforeAll(async () => {
    run = await runStack("kubernetes", {}, { ...testConfig("kubernetes"), "taskflow:broker": "rabbitmq" });
    graph = new Graph(run.resources);
  }, 60_000);

  it("declares an exchange per topic, a quorum queue per subscription with a DLX and delivery limit, and binds both", async () => {
    const b = `${run.settings.appName}-broker`;
    expect(graph.ofType("kubernetes:kafka.strimzi.io/v1beta2:Kafka")).toHaveLength(0);
    for (const s of platform.subscriptions) {
      const queue = graph.named("kubernetes:rabbitmq.com/v1beta1:Queue", `${b}-queue-${s.name}`);
      expect(at(queue.inputs, "spec")).toMatchObject({
        name: `${b}.${s.topic}.${s.name}`,
        type: "quorum",
        durable: true,
        arguments: { "x-dead-letter-exchange": `${b}.${s.topic}.${s.name}.dlx`, "x-delivery-limit": s.maxAttempts },
      });
      const binding = graph.named("kubernetes:rabbitmq.com/v1beta1:Binding", `${b}-binding-${s.name}`);
      expect(at(binding.inputs, "spec", "source")).toBe(`${b}.${s.topic}`);
    }
    const reading = await readStack(run, platform);
    const rows = (c: typeof reading.capabilities) => capabilityFacts(c).filter((f) => f.startsWith("subscription"));
    expect(rows(reading.capabilities)).toEqual(rows(expectedCapabilities(platform)));
  });

  it("gives each service a user whose permissions match exactly its exchanges and queues", async () => {
    const reading = await readStack(run, platform);
    const expected = expectedCapabilities(platform);
    for (const s of reading.capabilities.services) {
      const want = expected.services.find((e) => e.service === s.service);
      expect([...s.publishes].sort(), s.service).toEqual(want?.publishes);
      expect([...s.consumes].sort(), s.service).toEqual(want?.consumes);
      expect([...s.deadLetters].sort(), s.service).toEqual(want?.deadLetters);
      expect(reading.environments[s.service]?.secretNames).toContain("RABBITMQ_URL");
      expect(parseServiceEnv(containerEnvironment(reading, s.service)).BROKER).toBe("rabbitmq");
    }
  });

  it("hands every service the stack's CA for the broker's AMQPS certificate, and an amqps URL to dial", async () => {
    const reading = await readStack(run, platform);
    const [ca, ...others] = graph.ofType("tls:index/selfSignedCert:SelfSignedCert");
    expect(others).toHaveLength(0);
    if (!ca) throw new Error("the stack made no CA");
    for (const s of reading.capabilities.services) {
      const env = containerEnvironment(reading, s.service);
      expect(env.RABBITMQ_TLS_CA, s.service).toBe(ca.state.certPem);
      expect(readRabbitMqOptions(env), s.service).toMatchObject({
        url: expect.stringMatching(/^amqps:\/\//),
        tlsCa: ca.state.certPem,
      });
    }
  });

  it("lets the adapter's retry queues be declared only under its own queues", () => {
    const p = rabbitPermissions(["b.task-events"], ["b.task-events.tasks-activity"]);
    const re = (pattern: string) => new RegExp(pattern);
    expect(re(p.configure).test("b.task-events.tasks-activity.retry.500")).toBe(true);
    expect(re(p.configure).test("b.task-events.other.retry.500")).toBe(false);
    expect(re(p.write).test("b.task-events")).toBe(true);
    expect(re(p.write).test("b.user-events")).toBe(false);
    expect(re(p.read).test("b.task-events.tasks-activity")).toBe(true);
    expect(re(p.read).test("b.task-events.tasks-activity.dlq")).toBe(false);
  });
});

describe("Kubernetes stack with external data services", () => {
  let graph: Graph;
  let run: Awaited<ReturnType<typeof runStack>>;
  const config = {
    ...testConfig("kubernetes"),
    "taskflow:databaseUrl": "postgres://app:pw@db.example.internal:5432/taskflow?sslmode=verify-full",
    "taskflow:databaseTlsCa": "-----BEGIN CERTIFICATE-----\nRVhURVJOQUw=\n-----END CERTIFICATE-----\n",
    "taskflow:cacheUrl": "rediss://:token@cache.example.internal:6380",
    "taskflow:kafkaBrokers": "b-1.kafka.example.internal:9096,b-2.kafka.example.internal:9096",
  };
  beforeAll(async () => {
    run = await runStack("kubernetes", {}, config);
    graph = new Graph(run.resources);
  }, 60_000);

  it("creates nothing in-cluster for them and hands the URLs over as Secrets", async () => {
    for (const type of [
      "kubernetes:postgresql.cnpg.io/v1:Cluster",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:kafka.strimzi.io/v1beta2:Kafka",
      "kubernetes:kafka.strimzi.io/v1beta2:KafkaUser",
      "kubernetes:helm.sh/v3:Release",
    ]) {
      expect(graph.ofType(type), type).toHaveLength(0);
    }
    expect(storedDatabaseUrl(run)).toBe(config["taskflow:databaseUrl"]);
    const reading = await readStack(run, platform);
    const tasks = containerEnvironment(reading, "tasks");
    expect(tasks.KAFKA_BROKERS).toBe(config["taskflow:kafkaBrokers"]);
    expect(tasks.DATABASE_TLS_CA).toBe(config["taskflow:databaseTlsCa"]);
    expect([...(reading.environments.tasks?.secretNames ?? [])].sort()).toEqual(["CACHE_URL", "DATABASE_URL"]);
  });

  it("opens egress to the external ports only for the services that use them", async () => {
    const reading = await readStack(run, platform);
    for (const s of reading.capabilities.services) {
      const declared = platform.services.find((d) => d.name === s.service);
      expect(s.database, s.service).toBe(declared?.database);
      expect(s.cache, s.service).toBe(declared?.cache);
    }
  });

  it("refuses contradictory settings, naming each one", () => {
    expect(() =>
      readKubernetesSettings(
        (_, key) => ({ rabbitmqUrl: "amqps://x", certManagerIssuer: "le", namespace: "Bad_NS" })[key],
      ),
    ).toThrow(/3 problem\(s\)[\s\S]*taskflow:namespace[\s\S]*certManagerIssuer[\s\S]*rabbitmqUrl/);
  });
});
