import { describe, expect, it } from "vitest";
import { readKafkaConfig } from "../adapters/kafka/config.js";
import { deadLetterTopicOf } from "../adapters/kafka/message-broker.js";
import { asArray, at, Graph } from "../components/testing/graph.js";
import { platform } from "../services/platform.js";
import { containerEnvironment, useMockedStack } from "./testing/checks.js";

interface Acl {
  readonly resource: { readonly type: string; readonly name: string };
  readonly operations: readonly string[];
}

/**
 * The Kafka rehearsal as far as this machine allows (no Kafka broker here): every topic and
 * consumer group the adapter will use, read by the adapter's own config parser from the
 * environment the Deployment gives, exists in the graph and is covered by the service's
 * KafkaUser ACL, and the user has nothing else.
 */
describe("Kafka: what the adapter will use exists, with the user's ACL", () => {
  const stack = useMockedStack("kubernetes");

  it.each(platform.services.map((s) => [s.name]))("%s", (name) => {
    const { run, reading } = stack();
    const graph = new Graph(run.resources);
    const topics = new Set(
      graph
        .ofType("kubernetes:kafka.strimzi.io/v1beta2:KafkaTopic")
        .map((t) => String(at(t.inputs, "spec", "topicName"))),
    );
    const env = containerEnvironment(reading, name);
    const config = readKafkaConfig(env);
    expect(config.autoCreate, "the adapter must not create topics the stack owns").toBe(false);
    expect(config.connection).toMatchObject({
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: `${run.settings.appName}-broker-${name}` },
    });
    const user = graph
      .ofType("kubernetes:kafka.strimzi.io/v1beta2:KafkaUser")
      .find((u) => at(u.inputs, "metadata", "name") === config.connection.sasl?.username);
    const acls = asArray(at(user?.inputs, "spec", "authorization", "acls")) as Acl[];
    const granted = (type: string, resource: string, operation: string) =>
      acls.some((a) => a.resource.type === type && a.resource.name === resource && a.operations.includes(operation));

    const used: string[] = [];
    const declared = platform.services.find((s) => s.name === name);
    for (const logical of declared?.publishes ?? []) {
      const topic = config.topics[logical] as string;
      expect(topics.has(topic), `KafkaTopic ${topic}`).toBe(true);
      expect(granted("topic", topic, "Write"), `Write on ${topic}`).toBe(true);
      used.push(`topic:${topic}`);
    }
    for (const logical of declared?.consumes ?? []) {
      const sub = platform.subscriptions.find((s) => s.name === logical);
      const group = config.subscriptions[logical] as string;
      // As the adapter resolves a topic: its mapped name, else the logical name.
      const source = config.topics[sub?.topic as string] ?? (sub?.topic as string);
      const dlq = deadLetterTopicOf(group);
      for (const t of [source, dlq]) expect(topics.has(t), `KafkaTopic ${t}`).toBe(true);
      expect(granted("topic", source, "Read"), `Read on ${source}`).toBe(true);
      expect(granted("group", group, "Read"), `Read on group ${group}`).toBe(true);
      expect(granted("topic", dlq, "Write"), `Write on ${dlq}`).toBe(true);
      used.push(`topic:${source}`, `group:${group}`, `topic:${dlq}`);
    }
    // Least privilege: no ACL on anything the adapter does not use.
    expect([...new Set(acls.map((a) => `${a.resource.type}:${a.resource.name}`))].sort()).toEqual(
      [...new Set(used)].sort(),
    );
  });
});
