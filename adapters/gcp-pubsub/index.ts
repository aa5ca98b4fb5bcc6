import type { Env } from "../core/config.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { readPubSubConfig } from "./config.js";
import { createPubSubBroker } from "./message-broker.js";

export type { PubSubBrokerOptions } from "./config.js";
export { readPubSubConfig } from "./config.js";
export { createPubSubBroker, PUBSUB_CAPABILITIES, PubSubMessageBroker } from "./message-broker.js";

/** For `select.ts`: the broker `BROKER=gcp-pubsub` asks for, configured from `env`. */
export async function createBrokerFromEnv(env: Env): Promise<IMessageBroker> {
  return createPubSubBroker(readPubSubConfig(env));
}
