import type { BrokerCapabilities } from "./capabilities.js";
import type { BatchPublishResult, DeadLetter, Message, OutgoingMessage, PublishReceipt } from "./message.js";

/**
 * Given to a handler with each delivery.
 *
 * Outcomes: the handler resolves → ack; the handler throws → nack, redelivered with backoff
 * until `maxAttempts`, then dead-lettered; `deadLetter(reason)` → dead-lettered once, no
 * retry, whatever the handler then returns or throws.
 */
export interface DeliveryContext {
  deadLetter(reason: string): void;
  /** Aborted when the subscription closes or the adapter gives the message up (lock lost). */
  readonly signal: AbortSignal;
}

export type MessageHandler<T = unknown> = (message: Message<T>, context: DeliveryContext) => Promise<void> | void;

export interface BackoffOptions {
  /** @default 200 */
  readonly initialMs?: number;
  /** @default 30_000 */
  readonly maxMs?: number;
  /** @default 2 */
  readonly multiplier?: number;
}

/** How a subscription is created; fixed once it exists, as on every cloud. */
export interface SubscriptionOptions {
  /** Attempts before a message is dead-lettered. @default 5 */
  readonly maxAttempts?: number;
  /** Deliver messages of one key in order (FIFO queue, session, ordering key). @default false */
  readonly ordered?: boolean;
  /** Lock or visibility time of one delivery, in milliseconds. Needs `visibilityTimeout`. @default 30_000 */
  readonly lockMs?: number;
  /**
   * Deliver what the topic already holds to a new subscription (a log read from its start).
   * Needs `historyReplay`; other adapters refuse it with `UnsupportedFeatureError`.
   * @default false
   */
  readonly fromBeginning?: boolean;
}

export interface SubscribeOptions extends SubscriptionOptions {
  /** Handlers running at once for this consumer. @default 10 */
  readonly maxConcurrency?: number;
  /** Renew the lock while the handler runs. @default true where `lockRenewal` is declared */
  readonly renewLock?: boolean;
  /** Delay before a nacked message is redelivered. */
  readonly backoff?: BackoffOptions;
}

/** One consumer; several consumers on the same subscription compete for its messages. */
export interface Subscription {
  readonly topic: string;
  readonly name: string;
  /** Stops new deliveries, waits for running handlers to settle, then acks/nacks them. Idempotent. */
  close(): Promise<void>;
}

/**
 * Publish/subscribe with at-least-once delivery.
 *
 * - A subscription receives every message published to its topic after it was created.
 * - Delivery is at least once: consumers de-duplicate on `message.id` (the inbox).
 * - Order is kept per `key` only where the subscription is `ordered` and the adapter declares
 *   `ordering`; otherwise no order is promised.
 * - `close()` stops every subscription, lets in-flight handlers finish, flushes pending
 *   publishes and releases connections. It is idempotent; any other call after it throws
 *   `ClosedError`.
 */
export interface IMessageBroker {
  /** Adapter name, as in `BROKER` ("memory", "aws-sns-sqs", ...). */
  readonly name: string;
  readonly capabilities: BrokerCapabilities;

  /** Resolves once the broker has accepted the message durably. */
  publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt>;
  /** Publishes many; a bad entry fails alone and is reported by its index. */
  publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult>;

  /** Starts a consumer. Creates the subscription first where management is declared. */
  subscribe<T>(
    topic: string,
    subscription: string,
    handler: MessageHandler<T>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;

  /** Creates the topic if missing. Safe to call concurrently. */
  ensureTopic(topic: string): Promise<void>;
  /** Creates the subscription (and its dead-letter queue) if missing. Safe to call concurrently. */
  ensureSubscription(topic: string, subscription: string, options?: SubscriptionOptions): Promise<void>;

  /** Takes up to `max` messages from the subscription's dead-letter queue, waiting up to `waitMs`. */
  receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options?: { readonly max?: number; readonly waitMs?: number },
  ): Promise<DeadLetter<T>[]>;

  /** True when the broker answers; used by `/health/ready`. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
