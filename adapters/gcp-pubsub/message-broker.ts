import { PubSub, type Topic, v1 } from "@google-cloud/pubsub";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { ClosedError, MessageTooLargeError } from "../core/errors.js";
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
import { pullConsumerOptions } from "../core/pull-loop.js";
import { validateOutgoing, validateSubscribeOptions } from "../core/validate.js";
import type { PubSubBrokerOptions } from "./config.js";
import { PubSubConsumer, type PulledMessage, publishTime, type SubscriptionInfo } from "./consumer.js";
import { type Decoded, decodeMessage, type Encoded, encodedSize, encodeMessage } from "./envelope.js";
import { topicId, topicPath } from "./names.js";
import { COMPONENT, GRPC, grpcCode, mapPublishError, mapSubscriptionError } from "./provider-errors.js";
import { SubscriptionDirectory } from "./subscription-directory.js";

/** Pub/Sub's limit on one message: data plus attributes and ordering key. */
const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;
/**
 * Room kept for our attributes (id and up to 96 headers of 256 + 1024 bytes). `publish`
 * also measures the exact encoded size, so nothing over Pub/Sub's limit is ever sent.
 */
const ENCODING_RESERVE_BYTES = 131_072;
/** Messages the client library sends per Publish call. */
const PUBLISH_BATCH = 100;

export const PUBSUB_CAPABILITIES: BrokerCapabilities = {
  ordering: true,
  // Publishing is at least once and Pub/Sub does not drop a repeated id.
  dedupe: false,
  ttl: false,
  delay: false,
  visibilityTimeout: true,
  lockRenewal: true,
  historyReplay: false,
  management: true,
  maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES - ENCODING_RESERVE_BYTES,
  maxHeaders: 100,
  maxBatchSize: PUBLISH_BATCH,
};

interface Prepared {
  readonly id: string;
  readonly key: string | undefined;
  readonly encoded: Encoded;
}

/** IMessageBroker on Pub/Sub topics and subscriptions, each subscription with a dead-letter topic. */
export class PubSubMessageBroker implements IMessageBroker {
  readonly name = COMPONENT;
  readonly capabilities = PUBSUB_CAPABILITIES;
  private readonly pubsub: PubSub;
  private readonly autoCreate: boolean;
  private readonly prefix: string;
  private readonly topicPaths = new OncePerKey<string>();
  private readonly publishers = new Map<string, Topic>();
  private readonly directory: SubscriptionDirectory;
  private readonly consumers = new Set<PubSubConsumer>();
  private readonly publishing = new InFlight();
  private clients: Promise<{ publisher: v1.PublisherClient; subscriber: v1.SubscriberClient }> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PubSubBrokerOptions) {
    if (options.emulatorHost) {
      // The emulator needs no credentials; without this the auth library probes the GCE metadata address.
      process.env.METADATA_SERVER_DETECTION ??= "none";
    }
    this.pubsub = new PubSub({
      projectId: options.projectId,
      ...(options.emulatorHost ? { apiEndpoint: options.emulatorHost, emulatorMode: true } : {}),
    });
    this.autoCreate = options.autoCreate ?? true;
    this.prefix = options.namePrefix ?? "";
    this.directory = new SubscriptionDirectory({
      project: options.projectId,
      prefix: this.prefix,
      mapped: options.subscriptions ?? {},
      topicPath: (topic, create) => this.topicPath(topic, create),
      publisher: async () => (await this.v1()).publisher,
      subscriber: async () => (await this.v1()).subscriber,
    });
  }

  async publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen("publish");
    const prepared = this.prepare(message);
    return this.publishing.track(
      (async () => {
        try {
          await this.send(await this.topicPath(topic, this.autoCreate), prepared);
          return { id: prepared.id };
        } catch (error) {
          throw mapPublishError(topic, error);
        }
      })(),
    );
  }

  /** Each entry is its own publish; the client library packs them into calls of up to 100. */
  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen("publish a batch");
    const outcomes = new BatchOutcomes();
    outcomes.settled(await Promise.allSettled(messages.map((message) => this.publish(topic, message))), messages);
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
    let info: SubscriptionInfo;
    try {
      info = await this.directory.resolve(topic, subscription, options, this.autoCreate);
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, error);
    }
    this.assertOpen("subscribe");
    const { subscriber } = await this.v1();
    const consumer = new PubSubConsumer(
      subscriber,
      topic,
      subscription,
      info,
      handler as MessageHandler<unknown>,
      {
        ...pullConsumerOptions(options),
        pullTimeoutMs: this.options.pullTimeoutMs ?? 5_000,
        deadLetter: (target, decoded, original, reason, attempts) =>
          this.sendDeadLetter(target, decoded, original, reason, attempts),
      },
      (closed) => this.consumers.delete(closed),
    );
    this.consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen("create a topic");
    await this.topicPath(topic, true);
  }

  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen("create a subscription");
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    try {
      await this.directory.resolve(topic, subscription, options, true);
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, error);
    }
  }

  async receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options: { readonly max?: number; readonly waitMs?: number } = {},
  ): Promise<DeadLetter<T>[]> {
    this.assertOpen("read dead letters");
    const max = options.max ?? 10;
    const deadline = Date.now() + (options.waitMs ?? 0);
    let info: SubscriptionInfo;
    try {
      info = await this.directory.resolve(topic, subscription, {}, false);
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, error);
    }
    if (!info.deadLetterSubscription) return [];
    const { subscriber } = await this.v1();
    const letters: DeadLetter<T>[] = [];
    do {
      let received: PulledMessage[] = [];
      try {
        const [response] = await subscriber.pull(
          { subscription: info.deadLetterSubscription, maxMessages: max - letters.length },
          { timeout: Math.max(500, deadline - Date.now()) },
        );
        received = (response.receivedMessages ?? []) as PulledMessage[];
      } catch (error) {
        if (grpcCode(error) !== GRPC.DEADLINE_EXCEEDED) throw mapSubscriptionError(topic, subscription, error);
      }
      for (const pulled of received) {
        const raw = pulled.message ?? {};
        const decoded = decodeMessage(raw.data, raw.attributes ?? {});
        letters.push({
          id: decoded.id ?? raw.messageId ?? "",
          topic,
          key: decoded.key,
          headers: decoded.headers,
          body: decoded.body as T,
          // The dead-letter copy's own delivery count says nothing of the attempts it took.
          attempt: decoded.attempts ?? info.maxAttempts,
          publishedAt: decoded.publishedAt ?? publishTime(raw.publishTime) ?? new Date(),
          // Without our attribute Pub/Sub's dead-letter policy moved it: a consumer died or stalled.
          reason: decoded.reason ?? "delivered the maximum number of times without an ack (dead-letter policy)",
        });
      }
      const ackIds = received.map((pulled) => pulled.ackId ?? "").filter((id) => id !== "");
      if (ackIds.length > 0) await subscriber.acknowledge({ subscription: info.deadLetterSubscription, ackIds });
    } while (letters.length < max && Date.now() < deadline);
    return letters;
  }

  async ping(): Promise<boolean> {
    try {
      const { publisher } = await this.v1();
      await publisher.listTopics(
        { project: `projects/${this.options.projectId}`, pageSize: 1 },
        { timeout: 2_000, autoPaginate: false },
      );
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.consumers].map((consumer) => consumer.close()));
      await this.publishing.settled();
      await Promise.allSettled([...this.publishers.values()].map((topic) => topic.flush()));
      if (this.clients) {
        const { publisher, subscriber } = await this.clients;
        await Promise.allSettled([publisher.close(), subscriber.close()]);
      }
      await this.pubsub.close();
    })();
    return this.closing;
  }

  private prepare(message: OutgoingMessage): Prepared {
    validateOutgoing(COMPONENT, this.capabilities, message);
    const id = message.id ?? crypto.randomUUID();
    const encoded = encodeMessage({ id }, message.headers ?? {}, JSON.stringify(message.body));
    const size = encodedSize(encoded, message.key);
    if (size > PUBSUB_MAX_MESSAGE_BYTES) throw new MessageTooLargeError(COMPONENT, size, PUBSUB_MAX_MESSAGE_BYTES);
    return { id, key: message.key || undefined, encoded };
  }

  private async send(path: string, prepared: Prepared): Promise<void> {
    const publisher = this.publisherFor(path);
    try {
      await publisher.publishMessage({
        data: prepared.encoded.data,
        attributes: prepared.encoded.attributes,
        ...(prepared.key ? { orderingKey: prepared.key } : {}),
      });
    } catch (error) {
      // A failed publish pauses its ordering key until resumed; the caller decides to retry.
      if (prepared.key) publisher.resumePublishing(prepared.key);
      throw error;
    }
  }

  private publisherFor(path: string): Topic {
    let topic = this.publishers.get(path);
    if (!topic) {
      topic = this.pubsub.topic(path, {
        messageOrdering: true,
        batching: { maxMessages: PUBLISH_BATCH, maxMilliseconds: 5 },
      });
      this.publishers.set(path, topic);
    }
    return topic;
  }

  private async sendDeadLetter(
    info: SubscriptionInfo,
    decoded: Decoded,
    original: PulledMessage,
    reason: string,
    attempts: number,
  ): Promise<void> {
    const raw = original.message ?? {};
    const encoded = encodeMessage(
      {
        id: decoded.id ?? raw.messageId ?? "",
        key: raw.orderingKey || decoded.key,
        publishedAt: publishTime(raw.publishTime) ?? decoded.publishedAt,
        reason,
        attempts,
      },
      decoded.headers,
      JSON.stringify(decoded.body),
    );
    await this.publisherFor(info.deadLetterTopic ?? "").publishMessage({
      data: encoded.data,
      attributes: encoded.attributes,
    });
  }

  /** The topic's full name: from the stacks' map, created (idempotent), or assumed to exist. */
  private topicPath(topic: string, create: boolean): Promise<string> {
    const mapped = this.options.topics?.[topic];
    if (mapped) return Promise.resolve(mapped);
    const path = topicPath(this.options.projectId, topicId(this.prefix, topic));
    // Without auto-create, publishing to a missing topic fails with NOT_FOUND → TopicNotFoundError.
    if (!create) return Promise.resolve(path);
    return this.topicPaths.run(topic, async () => {
      const { publisher } = await this.v1();
      try {
        await publisher.createTopic({ name: path });
      } catch (error) {
        if (grpcCode(error) !== GRPC.ALREADY_EXISTS) throw error;
      }
      return path;
    });
  }

  private v1(): Promise<{ publisher: v1.PublisherClient; subscriber: v1.SubscriberClient }> {
    // The library's own config (emulator address, insecure channel, project) fits the v1 clients.
    this.clients ??= this.pubsub.getClientConfig().then((config) => {
      const options = config as ConstructorParameters<typeof v1.PublisherClient>[0];
      return { publisher: new v1.PublisherClient(options), subscriber: new v1.SubscriberClient(options) };
    });
    return this.clients;
  }

  private assertOpen(what: string): void {
    if (this.closing) throw new ClosedError(COMPONENT, what);
  }
}

export function createPubSubBroker(options: PubSubBrokerOptions): IMessageBroker {
  return new PubSubMessageBroker(options);
}
