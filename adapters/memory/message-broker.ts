import { randomUUID } from "node:crypto";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import type { Env } from "../core/config.js";
import { ClosedError, SubscriptionNotFoundError, TaskflowError, TopicNotFoundError } from "../core/errors.js";
import type { BatchPublishResult, DeadLetter, OutgoingMessage, PublishReceipt } from "../core/message.js";
import type {
  IMessageBroker,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  SubscriptionOptions,
} from "../core/message-broker.js";
import { validateOutgoing, validateSubscribeOptions } from "../core/validate.js";
import type { ConsumerGroup, GroupSettings } from "./broker-group.js";
import { MemoryBrokerStore, type TopicState } from "./broker-store.js";
import { MEMORY_BROKER_DEFAULTS, type MemoryBrokerOptions, readMemoryBrokerConfig } from "./config.js";
import { Consumer } from "./consumer.js";

export { MemoryBrokerStore } from "./broker-store.js";

const COMPONENT = "memory";

/**
 * Everything but history replay: the in-memory broker is the strictest adapter, so code that
 * passes against it has met every guarantee a cloud broker may hold it to.
 */
export const MEMORY_BROKER_CAPABILITIES: BrokerCapabilities = Object.freeze({
  ordering: true,
  dedupe: true,
  ttl: true,
  delay: true,
  visibilityTimeout: true,
  lockRenewal: true,
  historyReplay: false,
  management: true,
  // The smallest limits among the cloud brokers (SQS/SNS 256 KiB, Service Bus standard 256 KB).
  maxMessageBytes: 256 * 1024,
  maxHeaders: 50,
  maxBatchSize: 1_000,
});

/** Shared by every message published without headers; frozen, so no handler can add to it. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

const SUBSCRIPTION_DEFAULTS = { maxAttempts: 5, ordered: false, lockMs: 30_000 } as const;
const DEFAULT_MAX_CONCURRENCY = 10;

export interface MemoryBrokerInit extends MemoryBrokerOptions {
  /** The "server" this client talks to; clients sharing a store see the same topics. @default a new store */
  readonly store?: MemoryBrokerStore;
}

/**
 * `IMessageBroker` in this process's memory, for local mode and tests. It implements every
 * guarantee of the contract on purpose: consumer groups with competing consumers, lock
 * expiry and redelivery, retries with backoff, max attempts then a dead-letter queue with
 * the reason, per-key order, delay, TTL and dedupe, size and header limits, and optional
 * duplicate deliveries that prove consumers idempotent.
 */
export class MemoryBroker implements IMessageBroker {
  readonly name = "memory";
  readonly capabilities = MEMORY_BROKER_CAPABILITIES;
  readonly store: MemoryBrokerStore;
  private readonly autoCreate: boolean;
  private readonly duplicateRate: number;
  private readonly dedupeWindowMs: number;
  private readonly closeTimeoutMs: number;
  private readonly random: () => number;
  /** This client's consumers, with their close once it started. */
  private readonly consumers = new Map<Consumer, { group: ConsumerGroup; closing?: Promise<void> }>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(init: MemoryBrokerInit = {}) {
    this.store = init.store ?? new MemoryBrokerStore();
    this.autoCreate = init.autoCreate ?? MEMORY_BROKER_DEFAULTS.autoCreate;
    this.duplicateRate = checkNumber("duplicateRate", init.duplicateRate ?? MEMORY_BROKER_DEFAULTS.duplicateRate, 0, 1);
    this.dedupeWindowMs = checkNumber(
      "dedupeWindowMs",
      init.dedupeWindowMs ?? MEMORY_BROKER_DEFAULTS.dedupeWindowMs,
      1,
    );
    this.closeTimeoutMs = checkNumber(
      "closeTimeoutMs",
      init.closeTimeoutMs ?? MEMORY_BROKER_DEFAULTS.closeTimeoutMs,
      1,
    );
    this.random = init.random ?? Math.random;
  }

  async publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen(`publish to topic "${topic}"`);
    return { id: this.publishOne(topic, message) };
  }

  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen(`publish a batch to topic "${topic}"`);
    const outcomes = new BatchOutcomes();
    messages.forEach((message, index) => {
      try {
        outcomes.succeeded(index, this.publishOne(topic, message));
      } catch (error) {
        outcomes.failedWith(index, message.id, error);
      }
    });
    return outcomes.result();
  }

  async subscribe<T>(
    topic: string,
    subscription: string,
    handler: MessageHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    this.assertOpen(`subscribe to "${subscription}" on topic "${topic}"`);
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    const maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    checkNumber("maxConcurrency", maxConcurrency, 1);
    const group = this.autoCreate
      ? this.createGroup(topic, subscription, options)
      : this.existingGroup(topic, subscription);
    const consumer = new Consumer({
      handler: handler as MessageHandler<unknown>,
      maxConcurrency,
      renewLock: options.renewLock ?? true,
      backoff: options.backoff ?? {},
      duplicateRate: this.duplicateRate,
      random: this.random,
    });
    this.consumers.set(consumer, { group });
    this.store.consumerAttached();
    group.attach(consumer);
    return { topic, name: subscription, close: () => this.closeConsumer(consumer) };
  }

  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen(`create topic "${topic}"`);
    this.store.createTopic(checkName("topic", topic));
  }

  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen(`create subscription "${subscription}" on topic "${topic}"`);
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    this.createGroup(topic, subscription, options);
  }

  async receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options: { readonly max?: number; readonly waitMs?: number } = {},
  ): Promise<DeadLetter<T>[]> {
    this.assertOpen(`read dead letters of "${subscription}" on topic "${topic}"`);
    const group = this.store.getTopic(topic)?.groups.get(subscription);
    if (!group) {
      if (this.autoCreate) return [];
      this.existingGroup(topic, subscription);
    }
    return (await group!.takeDeadLetters(options.max ?? 10, options.waitMs ?? 0)) as DeadLetter<T>[];
  }

  async ping(): Promise<boolean> {
    this.assertOpen("ping");
    return true;
  }

  /** Stops every consumer of this client, waiting up to `closeTimeoutMs` for running handlers. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.closing = Promise.all([...this.consumers.keys()].map((consumer) => this.closeConsumer(consumer))).then(
        () => undefined,
      );
    }
    return this.closing;
  }

  /**
   * Simulates this client's process being killed, for crash-recovery tests in one process:
   * its consumers stop at once with no ack, nack or lock renewal, so each message they held
   * comes back to the subscription when its lock expires, as on a real broker. The client is
   * closed from then on, and `close()` resolves at once.
   */
  crash(): void {
    this.closed = true;
    for (const [consumer, state] of this.consumers) {
      if (state.closing) continue;
      state.group.abandon(consumer);
      state.closing = Promise.resolve();
      this.store.consumerDetached();
    }
    this.closing ??= Promise.resolve();
  }

  private publishOne<T>(topic: string, message: OutgoingMessage<T>): string {
    const bodyText: string | undefined = JSON.stringify(message.body);
    validateOutgoing(COMPONENT, this.capabilities, message, bodyText);
    const state = this.topicForPublish(topic);
    const now = Date.now();
    const id = message.id ?? randomUUID();
    // Generated ids are unique by construction; only ids the publisher chose can repeat.
    if (message.id !== undefined && this.store.isDuplicate(state, id, now, now + this.dedupeWindowMs)) return id;
    this.store.publish(
      state,
      {
        id,
        topic,
        key: message.key,
        headers: message.headers ? Object.freeze({ ...message.headers }) : NO_HEADERS,
        // Defined here: validateOutgoing has refused bodies JSON cannot represent.
        bodyText: bodyText as string,
        publishedAt: now,
        availableAt: message.delayMs ? now + message.delayMs : now,
        expiresAt: message.ttlMs ? now + message.ttlMs : Number.POSITIVE_INFINITY,
      },
      now,
    );
    return id;
  }

  private topicForPublish(topic: string): TopicState {
    const state = this.store.getTopic(topic);
    if (state) return state;
    if (!this.autoCreate) throw new TopicNotFoundError(COMPONENT, topic);
    return this.store.createTopic(checkName("topic", topic));
  }

  private createGroup(topic: string, subscription: string, options: SubscriptionOptions): ConsumerGroup {
    const state = this.store.getTopic(topic) ?? (this.autoCreate ? undefined : this.missingTopic(topic));
    const settings: GroupSettings = {
      maxAttempts: checkNumber("maxAttempts", options.maxAttempts ?? SUBSCRIPTION_DEFAULTS.maxAttempts, 1),
      ordered: options.ordered ?? SUBSCRIPTION_DEFAULTS.ordered,
      lockMs: checkNumber("lockMs", options.lockMs ?? SUBSCRIPTION_DEFAULTS.lockMs, 1),
    };
    const topicState = state ?? this.store.createTopic(checkName("topic", topic));
    return this.store.createGroup(topicState, checkName("subscription", subscription), settings);
  }

  private existingGroup(topic: string, subscription: string): ConsumerGroup {
    const state = this.store.getTopic(topic) ?? this.missingTopic(topic);
    const group = state.groups.get(subscription);
    if (!group) throw new SubscriptionNotFoundError(COMPONENT, topic, subscription);
    return group;
  }

  private missingTopic(topic: string): never {
    throw new TopicNotFoundError(COMPONENT, topic);
  }

  /**
   * Stops deliveries to the consumer at once, waits for its running handlers, and after
   * `closeTimeoutMs` gives their messages back to the subscription and aborts their signals.
   */
  private closeConsumer(consumer: Consumer): Promise<void> {
    const state = this.consumers.get(consumer)!;
    if (state.closing) return state.closing;
    const group = state.group;
    group.detach(consumer);
    const closing = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.closeTimeoutMs);
      });
      const finished = consumer.whenIdle().then(() => false);
      const gaveUp = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (gaveUp) {
        for (const attempt of consumer.running) {
          group.giveUp(attempt, `consumer closed before its handler finished within ${this.closeTimeoutMs} ms`);
        }
      }
      this.store.consumerDetached();
    })();
    state.closing = closing;
    return closing;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new ClosedError(COMPONENT, what);
  }
}

function checkNumber(name: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `at least ${min}` : `within ${min}..${max}`;
    throw new TaskflowError(COMPONENT, `${name} must be a number ${range}, got ${String(value)}`);
  }
  return value;
}

function checkName(kind: "topic" | "subscription", name: string): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TaskflowError(COMPONENT, `${kind} name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** The one store local mode shares, so services in one process reach each other's topics. */
let processStore: MemoryBrokerStore | undefined;

/** `BrokerAdapterModule` entry for `adapters/select.ts`; settings from `MEMORY_BROKER_*`. */
export async function createBrokerFromEnv(env: Env): Promise<MemoryBroker> {
  const config = readMemoryBrokerConfig(env);
  processStore ??= new MemoryBrokerStore();
  return new MemoryBroker({ ...config, store: processStore });
}
