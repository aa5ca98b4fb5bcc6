import { randomUUID } from "node:crypto";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { ClosedError, MessageTooLargeError, type TaskflowError } from "../core/errors.js";
import { InFlight } from "../core/in-flight.js";
import type { BatchPublishResult, DeadLetter, OutgoingMessage, PublishReceipt } from "../core/message.js";
import type {
  IMessageBroker,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  SubscriptionOptions,
} from "../core/message-broker.js";
import { OncePerKey } from "../core/once-per-key.js";
import { messageSize, validateOutgoing, validateSubscribeOptions } from "../core/validate.js";
import type { SbAdminLike, SbClientLike, SbOutgoingMessage, SbSenderLike } from "./client.js";
import type { ServiceBusBrokerSettings } from "./config.js";
import { ServiceBusSubscription } from "./consumer.js";
import { fromDeadLetter, toServiceBusMessage } from "./envelope.js";
import { subscriptionEntity, topicEntity } from "./names.js";
import { COMPONENT, isAlreadyThere, mapAdminError, mapPublishError, mapSubscriptionError } from "./provider-errors.js";

/**
 * What Service Bus (Standard tier) gives us, declared for the contract suite: sessions for
 * per-key order, duplicate detection on the message id (10-minute window, set when the
 * adapter creates the topic), per-message TTL and scheduled delivery, peek-lock with lock
 * renewal, topics and subscriptions managed at run time. A message is at most 256 KiB in
 * all; 250,000 bytes of body and headers leaves room for the AMQP framing, system properties
 * and our publish-time property.
 */
export const SERVICE_BUS_CAPABILITIES: BrokerCapabilities = {
  ordering: true,
  dedupe: true,
  ttl: true,
  delay: true,
  visibilityTimeout: true,
  lockRenewal: true,
  historyReplay: false,
  management: true,
  maxMessageBytes: 250_000,
  maxHeaders: 64,
  maxBatchSize: 100,
};

export interface ServiceBusBrokerOptions extends Partial<ServiceBusBrokerSettings> {
  readonly client: SbClientLike;
  readonly admin: SbAdminLike;
  /** Background failures (settling, receiving) that do not fail a call. @default process.emitWarning */
  readonly onError?: (error: TaskflowError) => void;
}

const DEFAULTS = { maxAttempts: 5, lockMs: 30_000, maxConcurrency: 10 };
/** Service Bus accepts lock durations from 5 seconds to 5 minutes. */
const LOCK_RANGE_MS = { min: 5_000, max: 300_000 };

export class ServiceBusMessageBroker implements IMessageBroker {
  readonly name = COMPONENT;
  readonly capabilities = SERVICE_BUS_CAPABILITIES;
  private readonly client: SbClientLike;
  private readonly admin: SbAdminLike;
  private readonly settings: ServiceBusBrokerSettings;
  private readonly onError: (error: TaskflowError) => void;
  private readonly senders = new Map<string, SbSenderLike>();
  private readonly topicsReady = new OncePerKey<void>();
  private readonly subscriptionsReady = new OncePerKey<void>();
  private readonly subscriptions = new Set<ServiceBusSubscription>();
  private readonly pending = new InFlight();
  private closed?: Promise<void>;

  constructor(options: ServiceBusBrokerOptions) {
    this.client = options.client;
    this.admin = options.admin;
    this.settings = {
      autoCreate: options.autoCreate ?? true,
      maxLockRenewalMs: options.maxLockRenewalMs ?? 300_000,
      topics: options.topics ?? {},
      subscriptions: options.subscriptions ?? {},
    };
    this.onError = options.onError ?? ((error) => process.emitWarning(error));
  }

  async publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen("publish");
    validateOutgoing(COMPONENT, this.capabilities, message);
    const id = message.id ?? randomUUID();
    const outgoing = toServiceBusMessage(id, message);
    const size = messageSize(message);
    await this.pending.track(
      (async () => {
        try {
          await this.topicReady(topic);
          await this.sender(topic).sendMessages(outgoing);
        } catch (error) {
          throw mapPublishError(topic, error, size, this.capabilities.maxMessageBytes);
        }
      })(),
    );
    return { id };
  }

  /**
   * Fills Service Bus message batches (which know the real encoded size) in order; an entry
   * that fails validation, or does not fit even an empty batch, fails alone.
   */
  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen("publish");
    const outcomes = new BatchOutcomes();
    const valid: { index: number; id: string; size: number; outgoing: SbOutgoingMessage }[] = [];
    for (const [index, message] of messages.entries()) {
      const id = message.id ?? randomUUID();
      try {
        validateOutgoing(COMPONENT, this.capabilities, message);
        valid.push({ index, id, size: messageSize(message), outgoing: toServiceBusMessage(id, message) });
      } catch (error) {
        outcomes.failedWith(index, id, error);
      }
    }
    await this.pending.track(
      (async () => {
        if (valid.length === 0) return;
        try {
          await this.topicReady(topic);
        } catch (error) {
          const mapped = mapPublishError(topic, error, 0, this.capabilities.maxMessageBytes);
          for (const { index, id } of valid) outcomes.failedWith(index, id, mapped);
          return;
        }
        const sender = this.sender(topic);
        let batch = await sender.createMessageBatch();
        let entries: typeof valid = [];
        const flush = async () => {
          if (entries.length === 0) return;
          const sent = entries;
          entries = [];
          try {
            await sender.sendMessages(batch);
            for (const { index, id } of sent) outcomes.succeeded(index, id);
          } catch (error) {
            const mapped = mapPublishError(
              topic,
              error,
              Math.max(...sent.map((e) => e.size)),
              this.capabilities.maxMessageBytes,
            );
            for (const { index, id } of sent) outcomes.failedWith(index, id, mapped);
          }
          batch = await sender.createMessageBatch();
        };
        for (const entry of valid) {
          if (entries.length >= this.capabilities.maxBatchSize || !batch.tryAddMessage(entry.outgoing)) {
            await flush();
            if (!batch.tryAddMessage(entry.outgoing)) {
              const error = new MessageTooLargeError(COMPONENT, entry.size, batch.maxSizeInBytes);
              outcomes.failedWith(entry.index, entry.id, error);
              continue;
            }
          }
          entries.push(entry);
        }
        await flush();
      })(),
    );
    return outcomes.result();
  }

  async subscribe<T>(
    topic: string,
    subscription: string,
    handler: MessageHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    this.assertOpen("subscribe");
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    if (this.settings.autoCreate) await this.ensureSubscription(topic, subscription, options);
    const renew = options.renewLock ?? true;
    const entity = subscriptionEntity(this.settings, topic, subscription);
    const created: ServiceBusSubscription = new ServiceBusSubscription({
      client: this.client,
      entityTopic: entity.topic,
      entitySubscription: entity.subscription,
      topic,
      name: subscription,
      handler: handler as MessageHandler,
      ordered: options.ordered ?? false,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      maxConcurrency: options.maxConcurrency ?? DEFAULTS.maxConcurrency,
      lockRenewalMs: renew ? this.settings.maxLockRenewalMs : 0,
      backoff: options.backoff ?? {},
      onError: this.onError,
      onClosed: () => this.subscriptions.delete(created),
    });
    this.subscriptions.add(created);
    created.start();
    return created;
  }

  /** An explicit request: creates the topic even with auto-create (implicit creation) off. */
  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen("create a topic");
    await this.topicCreated(topic);
  }

  /**
   * Creates the subscription with max delivery count = `maxAttempts`, sessions when
   * `ordered`, and `lockMs` as its lock duration (held within Service Bus's 5 s to 5 min).
   * An existing subscription keeps its settings, as on every cloud. An explicit request:
   * it creates even with auto-create (implicit creation on subscribe) off.
   */
  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen("create a subscription");
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    const entity = subscriptionEntity(this.settings, topic, subscription);
    const key = `${entity.topic}/${entity.subscription}`;
    await this.subscriptionsReady.run(key, () => this.createSubscription(topic, subscription, options));
  }

  async receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options: { readonly max?: number; readonly waitMs?: number } = {},
  ): Promise<DeadLetter<T>[]> {
    this.assertOpen("receive dead letters");
    const entity = subscriptionEntity(this.settings, topic, subscription);
    const receiver = this.client.createReceiver(entity.topic, entity.subscription, {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: 0,
      skipParsingBodyAsJson: true,
      subQueueType: "deadLetter",
    });
    try {
      const received = await receiver.receiveMessages(options.max ?? 10, { maxWaitTimeInMs: options.waitMs ?? 5_000 });
      const letters: DeadLetter<T>[] = [];
      for (const message of received) {
        letters.push(fromDeadLetter<T>(topic, message));
        await receiver.completeMessage(message);
      }
      return letters;
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, "read the dead letters of", error);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.probe(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("no answer")), 2_000);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.pending.settled();
    await Promise.allSettled([...this.senders.values()].map((sender) => sender.close()));
    await this.client.close().catch((error: unknown) => this.onError(mapAdminError("close the client", error)));
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new ClosedError(COMPONENT, what);
  }

  private sender(topic: string): SbSenderLike {
    const name = this.topicName(topic);
    let sender = this.senders.get(name);
    if (!sender) {
      sender = this.client.createSender(name);
      this.senders.set(name, sender);
    }
    return sender;
  }

  /** With auto-create off a missing topic shows up as the send's own "entity not found". */
  private topicReady(topic: string): Promise<void> {
    return this.settings.autoCreate ? this.topicCreated(topic) : Promise.resolve();
  }

  private topicCreated(topic: string): Promise<void> {
    const name = this.topicName(topic);
    return this.topicsReady.run(name, () => this.createTopic(name));
  }

  private async createTopic(name: string): Promise<void> {
    try {
      if (await this.admin.topicExists(name)) return;
      await this.admin.createTopic(name, {
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: "PT10M",
      });
    } catch (error) {
      // Another process created it between our check and our create: what we wanted.
      if (!isAlreadyThere(error)) throw mapAdminError(`create topic "${name}"`, error);
    }
  }

  private async createSubscription(topic: string, subscription: string, options: SubscriptionOptions): Promise<void> {
    await this.topicCreated(topic);
    const { topic: topicName, subscription: name } = subscriptionEntity(this.settings, topic, subscription);
    try {
      if (await this.admin.subscriptionExists(topicName, name)) return;
      await this.admin.createSubscription(topicName, name, {
        lockDuration: lockDuration(options.lockMs ?? DEFAULTS.lockMs),
        maxDeliveryCount: options.maxAttempts ?? DEFAULTS.maxAttempts,
        requiresSession: options.ordered ?? false,
        deadLetteringOnMessageExpiration: true,
      });
    } catch (error) {
      if (!isAlreadyThere(error)) throw mapSubscriptionError(topic, subscription, "create", error);
    }
  }

  private topicName(topic: string): string {
    return topicEntity(this.settings, topic);
  }

  /**
   * What the health check asks of Service Bus. Where the stacks own the entities (auto-create
   * off), the identity holds data roles on its own topics and subscriptions only, not the Manage
   * right the namespace's properties need, so the check opens a link it is entitled to: a sender
   * on one of its topics, or a peek on one of its subscriptions.
   */
  private async probe(): Promise<unknown> {
    if (this.settings.autoCreate) return this.admin.getNamespaceProperties();
    const [topic] = Object.keys(this.settings.topics);
    if (topic !== undefined) return this.sender(topic).createMessageBatch();
    const [subscription] = Object.keys(this.settings.subscriptions);
    if (subscription === undefined) return this.admin.getNamespaceProperties();
    const entity = subscriptionEntity(this.settings, "", subscription);
    const receiver = this.client.createReceiver(entity.topic, entity.subscription, {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: 0,
      skipParsingBodyAsJson: true,
    });
    try {
      return await receiver.peekMessages(1);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }
}

/** ISO 8601 duration of whole seconds, within what Service Bus accepts. */
export function lockDuration(lockMs: number): string {
  const clamped = Math.min(LOCK_RANGE_MS.max, Math.max(LOCK_RANGE_MS.min, lockMs));
  return `PT${Math.ceil(clamped / 1000)}S`;
}
