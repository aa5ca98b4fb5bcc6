import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { parseAddress } from "../../scripts/test-servers.js";
import { runBrokerContract } from "../testing/broker-contract.js";
import { childProcessConsumer } from "../testing/killable-consumer.js";
import type { SnsSqsBrokerOptions } from "./config.js";
import { createSnsSqsBroker, FIFO_CAPABILITIES, STANDARD_CAPABILITIES } from "./message-broker.js";
import { breakDeadLetterQueue, deleteByPrefix, snsSqsGate, TEST_ENDPOINT, testOptions } from "./test-server.js";

const skip = await snsSqsGate();
const prefix = `tf${randomUUID().slice(0, 6)}-`;

// SQS counts visibility in whole seconds, so the suite's lock time is one second.
const timing = { lockMs: 1_000 } as const;

/**
 * A consumer killed as its container would be (SIGKILL), the dead-letter queue deleted then
 * re-created, and the network to the emulator cut by a proxy.
 */
const faults = (options: SnsSqsBrokerOptions) => ({
  killable: {
    create: childProcessConsumer({
      module: new URL("./message-broker.ts", import.meta.url),
      factory: "createSnsSqsBroker",
      options,
    }),
  },
  breakDeadLetters: { create: breakDeadLetterQueue(options) },
  network: {
    create: {
      server: parseAddress(TEST_ENDPOINT) ?? { host: "127.0.0.1", port: 0 },
      via: async (host: string, port: number) => createSnsSqsBroker({ ...options, endpoint: `http://${host}:${port}` }),
    },
  },
});

const standard = testOptions(prefix);
runBrokerContract(
  "aws-sns-sqs",
  async (options) => createSnsSqsBroker({ ...standard, autoCreate: options?.autoCreate ?? true }),
  { capabilities: STANDARD_CAPABILITIES, ...timing, faults: faults(standard), ...(skip ? { skip } : {}) },
);

const fifo = testOptions(`${prefix}f-`, { fifo: true });
runBrokerContract(
  "aws-sns-sqs (FIFO)",
  async (options) => createSnsSqsBroker({ ...fifo, autoCreate: options?.autoCreate ?? true }),
  { capabilities: FIFO_CAPABILITIES, ...timing, faults: faults(fifo), ...(skip ? { skip } : {}) },
);

afterAll(async () => {
  if (!skip) await deleteByPrefix(prefix);
}, 60_000);
