import { afterEach } from "vitest";
import type { TaskflowError } from "../core/errors.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { until } from "./broker-collector.js";

/** A retry backoff short enough for unit tests that watch redeliveries. */
export const FAST_BACKOFF = { initialMs: 20, maxMs: 40 };

/** Waits up to 3 s for what a unit test over a fake client expects to have happened. */
export function waitFor(check: () => boolean): Promise<void> {
  return until(check, 3_000, "the expected deliveries and settlements");
}

/**
 * For the unit tests of an adapter over a fake client (Kafka, Service Bus): returns an
 * `open` that builds a broker with its background errors collected, and closes every broker
 * it built after each test. Call it at the top level of a test file.
 */
export function fakeClientHarness<B extends IMessageBroker>(): (
  create: (onError: (error: TaskflowError) => void) => B,
) => { broker: B; errors: TaskflowError[] } {
  const brokers: B[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  });
  return (create) => {
    const errors: TaskflowError[] = [];
    const broker = create((error) => errors.push(error));
    brokers.push(broker);
    return { broker, errors };
  };
}
