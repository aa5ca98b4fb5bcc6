import { runBrokerContract } from "../testing/broker-contract.js";
import { serverGate } from "../testing/servers.js";
import { readKafkaConfig } from "./config.js";
import { KAFKA_CAPABILITIES, KafkaMessageBroker } from "./message-broker.js";
import { createKafkaClient } from "./sdk-client.js";

/**
 * The shared contract suite against a real Kafka (or Redpanda) cluster. No Kafka broker can
 * run on the project's CI machine (no Docker, no package), so without KAFKA_BROKERS the suite
 * is skipped, under CI too, with that reason in its title. With KAFKA_BROKERS set, an
 * unreachable broker fails a CI run like any other missing server.
 */
const brokers = process.env.KAFKA_BROKERS;
const [host, port] = (brokers?.split(",")[0] ?? "").trim().split(":");
const skip =
  brokers === undefined
    ? "KAFKA_BROKERS is not set, and no Kafka broker can run on this machine (no Docker); " +
      "elsewhere run `docker compose up -d redpanda` and export KAFKA_BROKERS=127.0.0.1:19092"
    : await serverGate("Kafka", host && port ? { host, port: Number(port) } : undefined, "see compose.yaml");

runBrokerContract(
  "kafka",
  async (options) => {
    const { connection, ...settings } = readKafkaConfig({ KAFKA_BROKERS: brokers ?? "127.0.0.1:19092" });
    return new KafkaMessageBroker({
      ...settings,
      autoCreate: options?.autoCreate ?? true,
      client: createKafkaClient(connection),
    });
  },
  {
    capabilities: KAFKA_CAPABILITIES,
    // Joining a consumer group takes seconds (the broker's initial rebalance delay).
    deliveryTimeoutMs: 30_000,
    ...(skip ? { skip } : {}),
  },
);
