import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { runBrokerContract } from "../testing/broker-contract.js";
import { createSnsSqsBroker, FIFO_CAPABILITIES, STANDARD_CAPABILITIES } from "./message-broker.js";
import { deleteByPrefix, snsSqsGate, testOptions } from "./test-server.js";

const skip = await snsSqsGate();
const prefix = `tf${randomUUID().slice(0, 6)}-`;

// SQS counts visibility in whole seconds, so the suite's lock time is one second.
const timing = { lockMs: 1_000 } as const;

runBrokerContract(
  "aws-sns-sqs",
  async (options) => createSnsSqsBroker(testOptions(prefix, { autoCreate: options?.autoCreate ?? true })),
  { capabilities: STANDARD_CAPABILITIES, ...timing, ...(skip ? { skip } : {}) },
);

runBrokerContract(
  "aws-sns-sqs (FIFO)",
  async (options) =>
    createSnsSqsBroker(testOptions(`${prefix}f-`, { fifo: true, autoCreate: options?.autoCreate ?? true })),
  { capabilities: FIFO_CAPABILITIES, ...timing, ...(skip ? { skip } : {}) },
);

afterAll(async () => {
  if (!skip) await deleteByPrefix(prefix);
}, 60_000);
