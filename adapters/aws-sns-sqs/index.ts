import type { Env } from "../core/config.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { readSnsSqsConfig } from "./config.js";
import { createSnsSqsBroker } from "./message-broker.js";

export type { SnsSqsBrokerOptions } from "./config.js";
export { readSnsSqsConfig } from "./config.js";
export { createSnsSqsBroker, FIFO_CAPABILITIES, SnsSqsMessageBroker, STANDARD_CAPABILITIES } from "./message-broker.js";

/** For `select.ts`: the broker `BROKER=aws-sns-sqs` asks for, configured from `env`. */
export async function createBrokerFromEnv(env: Env): Promise<IMessageBroker> {
  return createSnsSqsBroker(readSnsSqsConfig(env));
}
