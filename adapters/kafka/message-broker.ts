import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { ClosedError, TaskflowError, TopicNotFoundError } from "../core/errors.js";
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
import type { KafkaAdminLike, KafkaClientLike, KafkaOutgoingRecord, KafkaProducerLike } from "./client.js";
import type { KafkaBrokerSettings } from "./config.js";
import { KafkaSubscription } from "./consumer.js";
import { readDeadLetters } from "./dead-letters.js";
import { toRecord } from "./envelope.js";
import {
  COMPONENT,
  isGroupBusy,
  isTopicAlreadyThere,
  mapAdminError,
  mapPublishError,
  mapSubscriptionError,
} from "./provider-errors.js";

/**
 * What Kafka gives us, declared for the contract suite:
 * - ordering: the ordering key is the record key, so a key stays on one partition, and a
 *   partition is consumed one record at a time;
 * - visibilityTimeout: emulated in process (a handler past `lockMs` is given up and the
 *   record tried again); there is no lock to renew, so no lockRenewal;
 * - historyReplay: yes, as Kafka keeps the log. A subscription created with `fromBeginning`
 *   starts at the oldest retained record; otherwise at the end of the log when it is created,
 *   as on every other broker;
 * - no dedupe, TTL or delay: Kafka has none per message;
 * - maxMessageBytes: Kafka's default `max.message.bytes` is 1 MiB for a whole record batch,
 *   so 1,000,000 leaves room for the record and batch framing and our id header.
 */
/** Kafka has no dead-letter queue: each subscription's consumer group gets a topic of its own for it. */
export const deadLetterTopicOf = (groupId: string): string => `${groupId}.dlq`;

export const KAFKA_CAPABILITIES: BrokerCapabilities = {
  ordering: true,
  dedupe: false,
  ttl: false,
  delay: false,
  visibilityTimeout: true,
  lockRenewal: false,
  historyReplay: true,
  management: true,
  maxMessageBytes: 1_000_000,
  maxHeaders: 64,
  maxBatchSize: 500,
};

export interface KafkaBrokerOptions extends Partial<KafkaBrokerSettings> {
  readonly client: KafkaClientLike;
  /** Background failures (commits, dead-letter writes) that do not fail a call. @default process.emitWarning */
  readonly onError?: (error: TaskflowError) => void;
  /** How long `subscribe` waits for its first partition assignment. @default 30_000 */
  readonly joinTimeoutMs?: number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const DEFAULTS = { maxAttempts: 5, lockMs: 30_000, maxConcurrency: 10 };

export class KafkaMessageBroker implements IMessageBroker {
  readonly name = COMPONENT;
  readonly capabilities = KAFKA_CAPABILITIES;
  private readonly client: KafkaClientLike;
  private readonly settings: KafkaBrokerSettings;
  private readonly onError: (error: TaskflowError) => void;
  private readonly joinTimeoutMs: number;
  private readonly producer: KafkaProducerLike;
  private readonly admin: KafkaAdminLike;
  private connected?: Promise<void>;
  private readonly topicsReady = new OncePerKey<void>();
  private readonly groupsReady = new OncePerKey<void>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly pending = new InFlight();
  private closed?: Promise<void>;

  constructor(options: KafkaBrokerOptions) {
    this.client = options.client;
    this.settings = {
      autoCreate: options.autoCreate ?? true,
      partitions: options.partitions ?? 6,
      replicationFactor: options.replicationFactor ?? -1,
      topics: options.topics ?? {},
      subscriptions: options.subscriptions ?? {},
    };
    this.onError = options.onError ?? ((error) => process.emitWarning(error));
    this.joinTimeoutMs = options.joinTimeoutMs ?? 30_000;
    // Topics are created by `ensureTopic` with our partition count, never implicitly.
    this.producer = this.client.producer({ allowAutoTopicCreation: false });
    this.admin = this.client.admin();
  }

  async publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen("publish");
    validateOutgoing(COMPONENT, this.capabilities, message);
    const id = message.id ?? randomUUID();
    await this.pending.track(this.send(topic, [toRecord(id, message)], messageSize(message)));
    return { id };
  }

  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen("publish");
    const outcomes = new BatchOutcomes();
    const chunks: { index: number; id: string; size: number; record: KafkaOutgoingRecord }[][] = [];
    let chunk: (typeof chunks)[number] = [];
    let chunkBytes = 0;
    for (const [index, message] of messages.entries()) {
      const id = message.id ?? randomUUID();
      try {
        validateOutgoing(COMPONENT, this.capabilities, message);
        const size = messageSize(message);
        const record = toRecord(id, message);
        // Kafka limits a whole record batch, not one record, so a chunk stays under the limit.
        if (chunk.length >= this.capabilities.maxBatchSize || chunkBytes + size > this.capabilities.maxMessageBytes) {
          chunks.push(chunk);
          chunk = [];
          chunkBytes = 0;
        }
        chunk.push({ index, id, size, record });
        chunkBytes += size;
      } catch (error) {
        outcomes.failedWith(index, id, error);
      }
    }
    if (chunk.length > 0) chunks.push(chunk);
    // One chunk after another, so messages of one key keep the batch's order.
    const sendAll = async () => {
      for (const entries of chunks) {
        const records = entries.map((entry) => entry.record);
        try {
          await this.send(topic, records, Math.max(...entries.map((entry) => entry.size)));
          for (const { index, id } of entries) outcomes.succeeded(index, id);
        } catch (error) {
          for (const { index, id } of entries) outcomes.failedWith(index, id, error);
        }
      }
    };
    await this.pending.track(sendAll());
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
    const maxConcurrency = options.maxConcurrency ?? DEFAULTS.maxConcurrency;
    await this.prepareGroup(topic, subscription, options.fromBeginning ?? false);
    const groupId = this.groupId(topic, subscription);
    const consumer = this.client.consumer({ groupId, allowAutoTopicCreation: false });
    const created: KafkaSubscription = new KafkaSubscription({
      consumer,
      kafkaTopic: this.topicName(topic),
      topic,
      name: subscription,
      handler: handler as MessageHandler,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      lockMs: options.lockMs ?? DEFAULTS.lockMs,
      maxConcurrency,
      backoff: options.backoff ?? {},
      joinTimeoutMs: this.joinTimeoutMs,
      publishDeadLetter: (record) => this.sendTo(this.deadLetterTopic(topic, subscription), [record]),
      onError: this.onError,
      onClosed: () => this.subscriptions.delete(created),
    });
    this.subscriptions.add(created);
    try {
      await created.start();
    } catch (error) {
      this.subscriptions.delete(created);
      throw mapSubscriptionError(topic, subscription, "start a consumer of", error);
    }
    return created;
  }

  /** An explicit request: creates the topic even with auto-create (implicit creation) off. */
  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen("create a topic");
    await this.createTopic(this.topicName(topic));
  }

  /**
   * Kafka has no subscription object: a consumer group is what remembers a position. Creating
   * a subscription commits, for a group that has none, the topic's current end offsets (or
   * its start offsets with `fromBeginning`), so the subscription receives what is published
   * from then on, even before its first consumer joins. `maxAttempts`, `lockMs` and `ordered`
   * are applied by each consumer; Kafka stores none of them. An explicit request: it creates
   * the topic and the dead-letter topic even with auto-create (implicit creation) off.
   */
  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen("create a subscription");
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    await this.createTopic(this.topicName(topic));
    await this.createTopic(this.deadLetterTopic(topic, subscription));
    await this.prepareGroup(topic, subscription, options.fromBeginning ?? false);
  }

  /** Gives the group its starting position once per process; see `ensureSubscription`. */
  private async prepareGroup(topic: string, subscription: string, fromBeginning: boolean): Promise<void> {
    const groupId = this.groupId(topic, subscription);
    await this.groupsReady.run(groupId, () => this.initialiseGroup(topic, subscription, groupId, fromBeginning));
  }

  async receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options: { readonly max?: number; readonly waitMs?: number } = {},
  ): Promise<DeadLetter<T>[]> {
    this.assertOpen("receive dead letters");
    const max = options.max ?? 10;
    const waitMs = options.waitMs ?? 5_000;
    const dlq = this.deadLetterTopic(topic, subscription);
    await this.connect();
    if (!(await this.admin.listTopics()).includes(dlq)) return [];
    try {
      return await readDeadLetters<T>({
        consumer: this.client.consumer({ groupId: `${dlq}-reader`, allowAutoTopicCreation: false }),
        deadLetterTopic: dlq,
        topic,
        max,
        waitMs,
        joinTimeoutMs: this.joinTimeoutMs,
      });
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, "read the dead letters of", error);
    }
  }

  /** Answers within 2 s: kafkajs retries a refused connection for much longer than a probe may wait. */
  async ping(): Promise<boolean> {
    if (this.closed) return false;
    const answer = (async () => {
      await this.connect();
      await this.admin.listTopics();
      return true;
    })();
    return Promise.race([answer, sleep(2_000, false, { ref: false })]).catch(() => false);
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.pending.settled();
    if (this.connected) {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    }
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new ClosedError(COMPONENT, what);
  }

  private connect(): Promise<void> {
    if (!this.connected) {
      this.connected = Promise.all([this.producer.connect(), this.admin.connect()]).then(() => undefined);
      this.connected.catch(() => {
        this.connected = undefined;
      });
    }
    return this.connected.catch((error: unknown) => {
      throw mapAdminError("connect to the Kafka cluster", error);
    });
  }

  private async send(topic: string, records: KafkaOutgoingRecord[], size: number): Promise<void> {
    const kafkaTopic = this.topicName(topic);
    try {
      await this.topicReady(topic, kafkaTopic);
      await this.producer.send({ topic: kafkaTopic, messages: records, acks: -1 });
    } catch (error) {
      throw mapPublishError(topic, error, size, this.capabilities.maxMessageBytes);
    }
  }

  private async sendTo(kafkaTopic: string, records: KafkaOutgoingRecord[]): Promise<void> {
    await this.connect();
    await this.producer.send({ topic: kafkaTopic, messages: records, acks: -1 });
  }

  /** Creates the topic when auto-create is on; otherwise checks that it exists. */
  private topicReady(topic: string, kafkaTopic: string): Promise<void> {
    // A failure is not remembered: the topic may be created meanwhile.
    return this.topicsReady.run(kafkaTopic, () =>
      this.settings.autoCreate ? this.createTopic(kafkaTopic) : this.checkTopic(topic, kafkaTopic),
    );
  }

  private async checkTopic(topic: string, kafkaTopic: string): Promise<void> {
    await this.connect();
    const topics = await this.admin.listTopics().catch((error: unknown) => {
      throw mapAdminError("list topics", error);
    });
    if (!topics.includes(kafkaTopic)) throw new TopicNotFoundError(COMPONENT, topic);
  }

  private async createTopic(kafkaTopic: string): Promise<void> {
    await this.connect();
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: kafkaTopic,
            numPartitions: this.settings.partitions,
            replicationFactor: this.settings.replicationFactor,
          },
        ],
      });
    } catch (error) {
      // Another process created it first: what we wanted.
      if (!isTopicAlreadyThere(error)) throw mapAdminError(`create topic "${kafkaTopic}"`, error);
    }
  }

  private async initialiseGroup(
    topic: string,
    subscription: string,
    groupId: string,
    fromBeginning: boolean,
  ): Promise<void> {
    const kafkaTopic = this.topicName(topic);
    await this.topicReady(topic, kafkaTopic);
    if (this.settings.autoCreate) await this.createTopic(this.deadLetterTopic(topic, subscription));
    try {
      const committed = await this.admin.fetchOffsets({ groupId, topics: [kafkaTopic] });
      const partitions = committed.find((entry) => entry.topic === kafkaTopic)?.partitions ?? [];
      if (partitions.some((entry) => entry.offset !== "-1")) return;
      const bounds = await this.admin.fetchTopicOffsets(kafkaTopic);
      await this.admin.setOffsets({
        groupId,
        topic: kafkaTopic,
        partitions: bounds.map(({ partition, high, low }) => ({ partition, offset: fromBeginning ? low : high })),
      });
    } catch (error) {
      // A group with members already has its position.
      if (!isGroupBusy(error)) throw mapSubscriptionError(topic, subscription, "create", error);
    }
  }

  private topicName(topic: string): string {
    const name = this.settings.topics[topic] ?? topic;
    if (!TOPIC_NAME.test(name)) {
      throw new TaskflowError(
        COMPONENT,
        `"${name}" is not a Kafka topic name (1-249 of letters, digits, ".", "_", "-")`,
      );
    }
    return name;
  }

  /** One consumer group per subscription; a subscription name may repeat across topics. */
  private groupId(topic: string, subscription: string): string {
    return this.settings.subscriptions[subscription] ?? `${this.topicName(topic)}.${subscription}`;
  }

  private deadLetterTopic(topic: string, subscription: string): string {
    return deadLetterTopicOf(this.groupId(topic, subscription));
  }
}
