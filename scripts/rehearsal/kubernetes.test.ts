import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { at, Graph } from "../../components/testing/graph.js";
import { platform } from "../../services/platform.js";
import { runStack, testConfig } from "../../stacks/testing/run-stack.js";
import type { ThrowAwayCa } from "./certificates.js";
import { kubernetes, rabbitDefinitions } from "./kubernetes.js";

/** The Kubernetes rehearsal target's reading of the graph, without starting anything. */
describe("kubernetes rehearsal target", () => {
  let graph: Graph;
  let app: string;
  beforeAll(async () => {
    const run = await runStack("kubernetes", {}, { ...testConfig("kubernetes"), "taskflow:broker": "rabbitmq" });
    graph = new Graph(run.resources);
    app = run.settings.appName;
  }, 60_000);

  it("loads the private RabbitMQ with exactly the graph's queues, dead-letter exchanges and users", () => {
    const defs = rabbitDefinitions(graph, `${app}-broker-rabbitmq`);
    const queues = defs.queues as { name: string; arguments: Record<string, unknown> }[];
    expect(queues).toHaveLength(platform.subscriptions.length * 2);
    for (const s of platform.subscriptions) {
      const name = `${app}-broker.${s.topic}.${s.name}`;
      expect(queues.find((q) => q.name === name)?.arguments).toEqual({
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": `${name}.dlx`,
        "x-delivery-limit": s.maxAttempts,
      });
      expect(queues.find((q) => q.name === `${name}.dlq`)?.arguments).toEqual({ "x-queue-type": "quorum" });
    }
    const users = defs.users as { name: string; password_hash: string }[];
    expect(users.map((u) => u.name).sort()).toEqual(platform.services.map((s) => `${app}-broker-${s.name}`).sort());
    for (const user of users) {
      // The hash must verify the password the service's Secret holds, as RabbitMQ checks it.
      const secret = graph
        .ofType("kubernetes:core/v1:Secret")
        .find((s) => at(s.inputs, "stringData", "username") === user.name);
      const password = String(at(secret?.inputs, "stringData", "password"));
      const stored = Buffer.from(user.password_hash, "base64");
      const salt = stored.subarray(0, 4);
      expect(createHash("sha256").update(salt).update(password).digest()).toEqual(stored.subarray(4));
    }
    expect((defs.permissions as unknown[]).length).toBe(platform.services.length);
  });

  it("names the in-cluster hosts the services dial: the -rw Service, Redis, RabbitMQ over AMQPS, each ClusterIP Service", () => {
    const endpoints = kubernetes.endpoints(graph, app);
    expect(endpoints.database).toMatchObject({ host: `${app}-db-pg-rw.taskflow.svc`, port: 5432, user: "taskflow" });
    expect(endpoints.cache).toMatchObject({ host: `${app}-cache-redis.taskflow.svc`, port: 6379 });
    expect(endpoints.broker).toEqual({ host: `${app}-broker-rabbitmq.taskflow.svc`, port: 5671, tls: true });
    expect(endpoints.services.gateway).toMatchObject({ host: `${app}-gateway.taskflow.svc`, port: 7000, tls: false });
  });

  it("refuses a topology object that names another cluster", () => {
    expect(() => rabbitDefinitions(graph, "someone-else")).toThrow(
      /names cluster .*-broker-rabbitmq, not someone-else/,
    );
  });

  it("refuses to stand in for Kafka, pointing at the static ACL checks", async () => {
    const kafka = new Graph((await runStack("kubernetes")).resources);
    await expect(kubernetes.startBroker(kafka, app, {} as ThrowAwayCa)).rejects.toThrow(
      /no Kafka broker runs on this machine.*kubernetes-kafka-acl\.test\.ts/,
    );
  }, 60_000);
});
