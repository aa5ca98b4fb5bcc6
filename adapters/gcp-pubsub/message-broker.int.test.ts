import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { runBrokerContract } from "../testing/broker-contract.js";
import { createPubSubBroker, PUBSUB_CAPABILITIES } from "./message-broker.js";
import { deleteByPrefix, pubSubGate, testOptions } from "./test-server.js";

const skip = await pubSubGate();
const prefix = `tf${randomUUID().slice(0, 6)}-`;

runBrokerContract(
  "gcp-pubsub",
  async (options) => createPubSubBroker(testOptions(prefix, { autoCreate: options?.autoCreate ?? true })),
  {
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
