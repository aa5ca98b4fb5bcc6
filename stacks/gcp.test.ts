import { describe, expect, it } from "vitest";
import { asArray, at, Graph } from "../components/testing/graph.js";
import { MOCK_PROJECT, MOCK_PROJECT_NUMBER } from "../components/testing/mocks.js";
import { platform } from "../services/platform.js";
import { containerEnvironment, describePlatformChecks, storedDatabaseUrl, useMockedStack } from "./testing/checks.js";

describe("GCP stack under mocks", () => {
  const stack = useMockedStack("gcp");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;

  describePlatformChecks("gcp", stack);

  it("creates the expected resources, counted by type", () => {
    const services = platform.services.length;
    const subscriptions = platform.subscriptions.length;
    expect(graph().countsByType()).toMatchObject({
      "gcp:compute/network:Network": 1,
      "gcp:compute/subnetwork:Subnetwork": 1,
      "gcp:compute/globalAddress:GlobalAddress": 1,
      "gcp:servicenetworking/connection:Connection": 1,
      "gcp:compute/routerNat:RouterNat": 1,
      "gcp:sql/databaseInstance:DatabaseInstance": 1,
      "gcp:redis/instance:Instance": 1,
      "gcp:pubsub/topic:Topic": platform.topics.length + subscriptions,
      "gcp:pubsub/subscription:Subscription": 2 * subscriptions,
      "gcp:cloudrunv2/service:Service": services,
      "gcp:serviceaccount/account:Account": services,
      "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": 1,
      "gcp:secretmanager/secret:Secret": 3,
      "gcp:artifactregistry/repository:Repository": 1,
      "gcp:logging/projectSink:ProjectSink": 1,
    });
  });

  it("cleans the registry for real: untagged images older than a week go, the newest versions stay", () => {
    const repo = graph().named("gcp:artifactregistry/repository:Repository", `${app()}-registry-images`);
    expect(repo.inputs.cleanupPolicyDryRun).toBe(false);
    const rules = asArray(repo.inputs.cleanupPolicies) as Record<string, unknown>[];
    expect(rules.filter((r) => r.action === "DELETE")).toEqual([
      { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
    ]);
    expect(rules.filter((r) => r.action === "KEEP")).toEqual([
      { id: "keep-newest", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
    ]);
  });

  it("hands Memorystore's own CA to every service that uses the cache, so TLS verifies the server", () => {
    for (const service of platform.services) {
      const env = containerEnvironment(stack().reading, service.name);
      if (service.cache) expect(env.CACHE_TLS_CA).toContain("BEGIN CERTIFICATE");
      else expect(env).not.toHaveProperty("CACHE_TLS_CA");
    }
  });

  it("verifies Cloud SQL's certificate against the instance's own CA (verify-ca: it names the instance, not the IP)", () => {
    const sql = graph().named("gcp:sql/databaseInstance:DatabaseInstance", `${app()}-db-instance`);
    const url = new URL(storedDatabaseUrl(stack().run));
    expect(url.searchParams.get("sslmode")).toBe("verify-ca");
    const [instanceCa] = sql.state.serverCaCerts as { cert: string }[];
    for (const service of platform.services.filter((s) => s.database)) {
      expect(containerEnvironment(stack().reading, service.name).DATABASE_TLS_CA).toBe(instanceCa?.cert);
    }
  });

  it("gives Cloud SQL a private IP only, TLS required, backups with point-in-time recovery", () => {
    const sql = graph().named("gcp:sql/databaseInstance:DatabaseInstance", `${app()}-db-instance`);
    expect(sql.inputs.databaseVersion).toBe("POSTGRES_16");
    expect(at(sql.inputs, "settings", "ipConfiguration")).toMatchObject({
      ipv4Enabled: false,
      sslMode: "ENCRYPTED_ONLY",
    });
    expect(JSON.stringify(sql.inputs)).not.toContain("0.0.0.0/0");
    expect(at(sql.inputs, "settings", "backupConfiguration")).toMatchObject({
      enabled: true,
      pointInTimeRecoveryEnabled: true,
    });
    expect(sql.inputs.deletionProtection).toBe(true);
  });

  it("logs every connection and disconnection on Cloud SQL and audits schema and role changes with pgaudit", () => {
    const sql = graph().named("gcp:sql/databaseInstance:DatabaseInstance", `${app()}-db-instance`);
    expect(at(sql.inputs, "settings", "databaseFlags")).toEqual(
      expect.arrayContaining([
        { name: "log_connections", value: "on" },
        { name: "log_disconnections", value: "on" },
        { name: "cloudsql.enable_pgaudit", value: "on" },
        { name: "pgaudit.log", value: "ddl,role" },
      ]),
    );
  });

  it("runs Memorystore with AUTH and TLS on the private services range", () => {
    const redis = graph().named("gcp:redis/instance:Instance", `${app()}-cache-redis`);
    expect(redis.inputs).toMatchObject({
      authEnabled: true,
      transitEncryptionMode: "SERVER_AUTHENTICATION",
      connectMode: "PRIVATE_SERVICE_ACCESS",
      tier: "STANDARD_HA",
      memorySizeGb: 1,
      redisVersion: "REDIS_7_2",
    });
    // One failover replica comes with the standard tier; read replicas would need 5 GB.
    expect(redis.inputs.readReplicasMode).toBeUndefined();
  });

  it("asks no subscription to keep messages longer than Pub/Sub's seven days (it refuses more)", () => {
    for (const subscription of graph().ofType("gcp:pubsub/subscription:Subscription")) {
      const seconds = Number.parseInt(String(subscription.inputs.messageRetentionDuration ?? "0s"), 10);
      expect(seconds, subscription.name).toBeLessThanOrEqual(7 * 24 * 3600);
    }
  });

  it("dead-letters through the Pub/Sub service agent with exactly the two roles it needs", () => {
    const agent = `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    const bindings = [
      ...graph().ofType("gcp:pubsub/topicIAMMember:TopicIAMMember"),
      ...graph().ofType("gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"),
    ].filter((b) => b.inputs.member === agent);
    expect(bindings).toHaveLength(2 * platform.subscriptions.length);
    for (const subscription of platform.subscriptions) {
      const sub = graph().named("gcp:pubsub/subscription:Subscription", `${app()}-broker-${subscription.name}`);
      expect(sub.inputs.ackDeadlineSeconds).toBe(subscription.lockMs / 1000);
      expect(sub.inputs.enableMessageOrdering).toBe(subscription.ordered);
      expect(at(sub.inputs, "deadLetterPolicy", "maxDeliveryAttempts")).toBe(subscription.maxAttempts);
    }
  });

  it("opens only the gateway to the internet; the rest take internal traffic through the VPC", () => {
    for (const service of platform.services) {
      const run = graph().named("gcp:cloudrunv2/service:Service", `${app()}-${service.name}-service`);
      expect(run.inputs.ingress).toBe(service.public ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_ONLY");
      expect(at(run.inputs, "template", "vpcAccess", "egress")).toBe("ALL_TRAFFIC");
      const container = at(run.inputs, "template", "containers", 0);
      expect(at(container, "resources", "limits")).toEqual({ cpu: "1", memory: "512Mi" });
      expect(at(container, "args")).toEqual([`dist/services/${service.name}/main.js`]);
      // Cloud Run sets PORT itself and rejects it as a user variable.
      expect((asArray(at(container, "envs")) as { name: string }[]).map((e) => e.name)).not.toContain("PORT");
    }
    const invokers = graph().ofType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember");
    expect(invokers.map((i) => [i.name, i.inputs.member])).toEqual([[`${app()}-gateway-public`, "allUsers"]]);
  });

  it("gives the Pub/Sub adapter full topic and subscription paths, and labels it reads", () => {
    const tasks = stack().reading.environments.tasks?.plain ?? {};
    expect(JSON.parse(tasks.BROKER_TOPICS ?? "{}")["task-events"]).toBe(
      `projects/${MOCK_PROJECT}/topics/${app()}-broker-task-events`,
    );
    expect(JSON.parse(tasks.BROKER_SUBSCRIPTIONS ?? "{}")["tasks-activity"]).toBe(
      `projects/${MOCK_PROJECT}/subscriptions/${app()}-broker-tasks-activity`,
    );
    const sub = graph().named("gcp:pubsub/subscription:Subscription", `${app()}-broker-tasks-activity`);
    expect(sub.inputs.labels).toEqual({ tf_max_attempts: "5", tf_lock_ms: "30000" });
    // The adapter finds a dead-letter subscription under the dead-letter topic's own name.
    const dlqTopic = graph().named("gcp:pubsub/topic:Topic", `${app()}-broker-tasks-activity-dlq`);
    const dlqSub = graph().named("gcp:pubsub/subscription:Subscription", `${app()}-broker-tasks-activity-dlq`);
    expect(dlqSub.inputs.name).toBe(dlqTopic.inputs.name);
  });

  it("reads secrets by pinned version through secretKeyRef", () => {
    const run = graph().named("gcp:cloudrunv2/service:Service", `${app()}-identity-service`);
    const envs = asArray(at(run.inputs, "template", "containers", 0, "envs")) as {
      name: string;
      valueSource?: { secretKeyRef: { secret: string; version: string } };
    }[];
    const refs = Object.fromEntries(
      envs.filter((e) => e.valueSource).map((e) => [e.name, e.valueSource?.secretKeyRef]),
    );
    expect(refs.JWT_PRIVATE_KEY).toEqual({ secret: `${app()}-jwt-key`, version: "1" });
    expect(refs.DATABASE_URL?.secret).toBe(`${app()}-database-url`);
  });
});
