import { TaskflowError } from "../core/errors.js";

export const COMPONENT = "rabbitmq";

/**
 * Physical names. A topic is a durable topic exchange; a subscription is a durable queue bound
 * to it, with its own dead-letter exchange and queue and, created on first use, one retry queue
 * per delay tier. Every derived name stays under AMQP's 255-byte limit.
 */
export interface Naming {
  exchange(topic: string): string;
  queue(topic: string, subscription: string): string;
}

/** Room left for the longest suffix a subscription's queue gets (`.retry.600000`). */
const MAX_BASE_BYTES = 230;

export function createNaming(
  topics: Readonly<Record<string, string>> = {},
  subscriptions: Readonly<Record<string, string>> = {},
): Naming {
  const exchange = (topic: string) => checked(topics[topic] ?? topic, `topic "${topic}"`);
  return {
    exchange,
    queue: (topic, subscription) =>
      checked(subscriptions[subscription] ?? `${exchange(topic)}.${subscription}`, `subscription "${subscription}"`),
  };
}

function checked(name: string, what: string): string {
  if (name.length === 0) throw new TaskflowError(COMPONENT, `${what} has an empty name`);
  if (Buffer.byteLength(name, "utf8") > MAX_BASE_BYTES) {
    throw new TaskflowError(COMPONENT, `${what} maps to a name longer than ${MAX_BASE_BYTES} bytes`);
  }
  return name;
}

export const deadLetterExchange = (queue: string): string => `${queue}.dlx`;
export const deadLetterQueue = (queue: string): string => `${queue}.dlq`;
export const retryQueue = (queue: string, tierMs: number): string => `${queue}.retry.${tierMs}`;

/**
 * Retry delays are rounded to these tiers. Each tier is its own queue with one fixed TTL, so
 * its messages expire in arrival order: a long delay never holds a short one behind it, as a
 * single queue with per-message TTLs would (RabbitMQ only expires at the head of a queue).
 */
export const RETRY_TIERS_MS: readonly number[] = [
  25, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
];

/**
 * The shortest tier at least `delayMs` long, so a retry never comes sooner than the backoff
 * asked (the tiers are at most 2.5x apart, so it is at most that much later); past the last
 * tier, the last.
 */
export function retryTier(delayMs: number): number {
  return RETRY_TIERS_MS.find((tier) => tier >= delayMs) ?? RETRY_TIERS_MS[RETRY_TIERS_MS.length - 1]!;
}

/** Every queue a subscription may own, so that deleting it leaves nothing behind. */
export function subscriptionQueues(queue: string): string[] {
  return [queue, deadLetterQueue(queue), ...RETRY_TIERS_MS.map((tier) => retryQueue(queue, tier))];
}
