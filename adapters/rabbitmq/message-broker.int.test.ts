import { afterAll } from "vitest";
import { runBrokerContract } from "../testing/broker-contract.js";
import { createRabbitMqBroker, RABBITMQ_CAPABILITIES } from "./message-broker.js";
import { CreatedNames, rabbitGate, TEST_RABBITMQ_URL } from "./test-server.js";

const skip = await rabbitGate();
const created = new CreatedNames();

runBrokerContract(
  "rabbitmq",
  async (options) =>
    created.track(
      await createRabbitMqBroker({
        url: TEST_RABBITMQ_URL,
        autoCreate: options?.autoCreate ?? true,
        publishTimeoutMs: 10_000,
        connectTimeoutMs: 5_000,
      }),
    ),
  { capabilities: RABBITMQ_CAPABILITIES, ...(skip ? { skip } : {}) },
);

afterAll(async () => {
  if (!skip) await created.deleteAll(TEST_RABBITMQ_URL);
}, 60_000);
