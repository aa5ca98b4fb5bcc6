import { describe, expect, it } from "vitest";
import { platform } from "../../services/platform.js";
import { containerEnvironment, describePlatformChecks, useMockedStack } from "../testing/checks.js";
import { asArray, at, Graph } from "../testing/graph.js";

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
        `topic:${b}.task-events:Write+Describe`,
        `topic:${b}.task-events:Read+Describe`,
        `group:${b}.task-events.tasks-activity:Read+Describe`,
        `topic:${b}.task-events.tasks-activity.dlq:Write+Describe`,
        `topic:${b}.user-events:Read+Describe`,
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
