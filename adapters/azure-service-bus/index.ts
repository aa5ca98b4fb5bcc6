import type { Env } from "../core/config.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { readServiceBusConfig } from "./config.js";
import { ServiceBusMessageBroker } from "./message-broker.js";
import { createServiceBusClients } from "./sdk-client.js";

export * from "./client.js";
export * from "./config.js";
export * from "./message-broker.js";

export async function createBrokerFromEnv(env: Env): Promise<IMessageBroker> {
  const { auth, ...settings } = readServiceBusConfig(env);
  return new ServiceBusMessageBroker({ ...settings, ...createServiceBusClients(auth) });
}
