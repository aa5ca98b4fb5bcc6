import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { parseAddress } from "../../scripts/test-servers.js";
import { runBrokerContract } from "../testing/broker-contract.js";
import { childProcessConsumer } from "../testing/killable-consumer.js";
import { createPubSubBroker, PUBSUB_CAPABILITIES } from "./message-broker.js";
import { deleteByPrefix, pubSubGate, TEST_EMULATOR_HOST, testOptions } from "./test-server.js";

const skip = await pubSubGate();
const prefix = `tf${randomUUID().slice(0, 6)}-`;

const base = testOptions(prefix);
runBrokerContract(
  "gcp-pubsub",
  async (options) => createPubSubBroker({ ...base, autoCreate: options?.autoCreate ?? true }),
  {
    faults: {
      // Killed as its container would be (SIGKILL).
      killable: {
        create: childProcessConsumer({
          module: new URL("./message-broker.ts", import.meta.url),
          factory: "createPubSubBroker",
          options: base,
        }),
      },
      network: {
        create: {
          server: parseAddress(TEST_EMULATOR_HOST) ?? { host: "127.0.0.1", port: 0 },
          via: async (host, port) => createPubSubBroker({ ...base, emulatorHost: `${host}:${port}` }),
        },
      },
      breakDeadLetters: {
        absent:
          "the emulator has no IAM to refuse the write, and a deleted dead-letter topic loses its subscription, so what Pub/Sub's own dead-letter policy forwards meanwhile is dropped",
      },
    },
    capabilities: PUBSUB_CAPABILITIES,
    // Deadlines are whole seconds; the adapter shortens each delivery's to one second.
    lockMs: 1_000,
    // Below Pub/Sub's minimum of 5: the adapter dead-letters by itself after the third attempt.
    maxAttempts: 3,
    ...(skip ? { skip } : {}),
  },
);

afterAll(async () => {
  if (!skip) await deleteByPrefix(prefix);
}, 60_000);
