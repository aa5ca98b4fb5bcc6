import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import type { KafkaClientLike } from "./client.js";
import type { KafkaConnection } from "./config.js";

/** The one place a real kafkajs client is built. */
export function createKafkaClient(connection: KafkaConnection): KafkaClientLike {
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ssl: connection.ssl && connection.ca ? { ca: [connection.ca] } : connection.ssl,
    sasl: saslOptions(connection.sasl),
    // The adapter reports failures through its typed errors; kafkajs's own log would repeat them.
    logLevel: logLevel.NOTHING,
  });
}

function saslOptions(sasl: KafkaConnection["sasl"]): SASLOptions | undefined {
  if (!sasl) return undefined;
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case "plain":
      return { mechanism: "plain", username, password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username, password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username, password };
  }
}
