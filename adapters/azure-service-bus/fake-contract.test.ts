import { runBrokerContract } from "../testing/broker-contract.js";
import { FakeServiceBus } from "./fake-client.js";
import { SERVICE_BUS_CAPABILITIES, ServiceBusMessageBroker } from "./message-broker.js";

/**
 * The shared broker contract on the in-process Service Bus fake (fake-client.ts), so every
 * change to the adapter meets the whole suite here and not only where a namespace or the
 * emulator runs (message-broker.int.test.ts). One namespace per suite: every client the factory
 * opens reaches the same "server". What the fake cannot be put through is skipped by name with
 * its reason.
 */
const bus = new FakeServiceBus();

runBrokerContract(
  "azure-service-bus (fake namespace)",
  async (options) =>
    new ServiceBusMessageBroker({
      client: bus,
      admin: bus,
      autoCreate: options?.autoCreate ?? true,
      onError: () => {},
    }),
  {
    capabilities: SERVICE_BUS_CAPABILITIES,
    // The adapter holds every lock within Service Bus's 5 s to 5 min, as on a real namespace.
    lockMs: 5_000,
    deliveryTimeoutMs: 15_000,
    faults: {
      network: { absent: "the fake namespace is in this process: there is no network between it and the adapter" },
      killable: {
        absent:
          "Service Bus locks last at least 5 s (the adapter holds them there), and FC5 expects a killed consumer's messages back within its 2 s lock",
      },
      breakDeadLetters: {
        absent:
          "the dead-letter queue is the subscription's own sub-queue: Service Bus has no separate destination to break",
      },
    },
  },
);
