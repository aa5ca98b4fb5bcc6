import { runBrokerContract } from "../testing/broker-contract.js";
import { serverGate } from "../testing/servers.js";
import { readServiceBusConfig } from "./config.js";
import { SERVICE_BUS_CAPABILITIES, ServiceBusMessageBroker } from "./message-broker.js";
import { createServiceBusClients } from "./sdk-client.js";

/**
 * The shared contract suite against a Service Bus namespace (or the emulator). Neither can run
 * on the project's CI machine (the emulator needs Docker), so without
 * SERVICEBUS_CONNECTION_STRING the suite is skipped, under CI too, with that reason in its
 * title. With it set, an unreachable endpoint fails a CI run like any other missing server.
 * The adapter creates each run's topics and subscriptions, so the connection needs Manage rights.
 */
const connectionString = process.env.SERVICEBUS_CONNECTION_STRING;

function endpoint(text: string): { host: string; port: number } | undefined {
  const match = /Endpoint=sb:\/\/([^/;:]+)(?::(\d+))?/i.exec(text);
  if (!match?.[1]) return undefined;
  const emulator = /UseDevelopmentEmulator=true/i.test(text);
  return { host: match[1], port: Number(match[2] ?? (emulator ? 5672 : 5671)) };
}

const skip =
  connectionString === undefined
    ? "SERVICEBUS_CONNECTION_STRING is not set, and no Service Bus emulator can run on this machine (no Docker); " +
      "elsewhere run `docker compose up -d servicebus` and export the connection string from compose.yaml"
    : await serverGate("Service Bus", endpoint(connectionString), "see compose.yaml");

runBrokerContract(
  "azure-service-bus",
  async (options) => {
    const { auth, ...settings } = readServiceBusConfig({
      SERVICEBUS_CONNECTION_STRING: connectionString,
      SERVICEBUS_ADMIN_CONNECTION_STRING: process.env.SERVICEBUS_ADMIN_CONNECTION_STRING,
    });
    return new ServiceBusMessageBroker({
      ...settings,
      autoCreate: options?.autoCreate ?? true,
      ...createServiceBusClients(auth),
    });
  },
  {
    capabilities: SERVICE_BUS_CAPABILITIES,
    // Service Bus locks last at least 5 seconds.
    lockMs: 5_000,
    deliveryTimeoutMs: 30_000,
    ...(skip ? { skip } : {}),
  },
);
