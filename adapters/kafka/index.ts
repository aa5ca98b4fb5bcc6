import type { Env } from "../core/config.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { readKafkaConfig } from "./config.js";
import { KafkaMessageBroker } from "./message-broker.js";
import { createKafkaClient } from "./sdk-client.js";

export * from "./client.js";
export * from "./config.js";
export * from "./message-broker.js";

export async function createBrokerFromEnv(env: Env): Promise<IMessageBroker> {
  const { connection, ...settings } = readKafkaConfig(env);
  return new KafkaMessageBroker({ ...settings, client: createKafkaClient(connection) });
}
