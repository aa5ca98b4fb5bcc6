import { afterAll } from "vitest";
import { runBrokerContract } from "../testing/broker-contract.js";
import { childProcessConsumer } from "../testing/killable-consumer.js";
import { createRabbitMqBroker, RABBITMQ_CAPABILITIES } from "./message-broker.js";
import { breakDeadLetterExchange, CreatedNames, rabbitGate, TEST_RABBITMQ_URL } from "./test-server.js";

const skip = await rabbitGate();
const created = new CreatedNames();

const base = { url: TEST_RABBITMQ_URL, publishTimeoutMs: 10_000, connectTimeoutMs: 5_000 };
runBrokerContract(
  "rabbitmq",
  async (options) => created.track(await createRabbitMqBroker({ ...base, autoCreate: options?.autoCreate ?? true })),
  {
    capabilities: RABBITMQ_CAPABILITIES,
    faults: {
      // Killed as its container would be (SIGKILL); the dead-letter exchange deleted, then declared again.
      killable: {
        create: childProcessConsumer({
          module: new URL("./message-broker.ts", import.meta.url),
          factory: "createRabbitMqBroker",
          options: base,
        }),
      },
      breakDeadLetters: { create: breakDeadLetterExchange(TEST_RABBITMQ_URL) },
      network: {
        create: {
          server: { host: new URL(TEST_RABBITMQ_URL).hostname, port: Number(new URL(TEST_RABBITMQ_URL).port || 5672) },
          via: async (host, port) => {
            const url = new URL(TEST_RABBITMQ_URL);
            url.hostname = host;
            url.port = String(port);
            return created.track(await createRabbitMqBroker({ ...base, url: url.toString() }));
          },
        },
      },
    },
    ...(skip ? { skip } : {}),
  },
);

afterAll(async () => {
  if (!skip) await created.deleteAll(TEST_RABBITMQ_URL);
}, 60_000);
