import type { Env } from "../core/config.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { readRabbitMqOptions } from "./config.js";
import { createRabbitMqBroker } from "./message-broker.js";

export * from "./config.js";
export { createRabbitMqBroker, RABBITMQ_CAPABILITIES, RabbitMqBroker } from "./message-broker.js";

/** The `BrokerAdapterModule` entry `adapters/select.ts` loads for `BROKER=rabbitmq`. */
export function createBrokerFromEnv(env: Env): Promise<IMessageBroker> {
  return createRabbitMqBroker(readRabbitMqOptions(env));
}
