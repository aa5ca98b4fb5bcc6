import { randomUUID } from "node:crypto";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { ClosedError, TaskflowError } from "../core/errors.js";
import type { BatchPublishResult, DeadLetter, OutgoingMessage, PublishReceipt } from "../core/message.js";
import type {
  IMessageBroker,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  SubscriptionOptions,
} from "../core/message-broker.js";
import { validateOutgoing, validateSubscribeOptions } from "../core/validate.js";
import type { RabbitMqBrokerOptions } from "./config.js";
import { AmqpLink } from "./connection.js";
import { RabbitMqConsumer } from "./consumer.js";
import { checkHeaders, decodeDeadLetter, encodeOutgoing } from "./envelope.js";
import { COMPONENT, createNaming, deadLetterQueue, type Naming } from "./names.js";
import { publishFailure, topologyFailure } from "./provider-errors.js";
import { ConfirmPublisher } from "./publisher.js";
import { Topology } from "./topology.js";

/**
 * What RabbitMQ gives through this adapter. Competing consumers on one queue give no per-key
 * order; there is no dedupe window; a delivery has no lock that expires (`consumer_timeout` is
 * a server-wide safety net, not a visibility timeout), so nothing to renew either. Per-message
 * TTL is the AMQP `expiration` property. The size limit is the adapter's, far below the
 * broker's own, so that one message never stalls a channel.
 */
export const RABBITMQ_CAPABILITIES: BrokerCapabilities = {
  ordering: false,
  dedupe: false,
  ttl: true,
  delay: false,
  visibilityTimeout: false,
  lockRenewal: false,
  historyReplay: false,
  management: true,
  maxMessageBytes: 1_048_576,
  maxHeaders: 64,
  maxBatchSize: 500,
};

const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * `IMessageBroker` on RabbitMQ (amqplib): a durable topic exchange per topic, a durable queue
 * per subscription bound to it, publisher confirms, a dead-letter exchange and queue per
 * subscription, delayed retries through per-tier retry queues, and a connection that comes
 * back after the broker restarts (consumers resume, publishers wait within their bound).
 */
export class RabbitMqBroker implements IMessageBroker {
  readonly name = "rabbitmq";
  readonly capabilities = RABBITMQ_CAPABILITIES;
  private readonly naming: Naming;
  private readonly topology: Topology;
  private readonly publisher: ConfirmPublisher;
  private readonly consumers = new Set<RabbitMqConsumer>();
  private publishesInFlight = 0;
  private publishesSettled: (() => void) | undefined;
  private readonly timeoutMs: number;
  private readonly defaultConcurrency: number;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly link: AmqpLink,
    options: RabbitMqBrokerOptions,
  ) {
    this.naming = createNaming(options.topics, options.subscriptions);
    this.timeoutMs = options.publishTimeoutMs ?? 30_000;
    this.defaultConcurrency = options.defaultConcurrency ?? 10;
    this.topology = new Topology(link, this.naming, options.autoCreate ?? true, this.timeoutMs);
    this.publisher = new ConfirmPublisher(link, this.timeoutMs);
  }

  publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen("publish");
    // Counted from the first moment, so that a close() called right after still waits for it.
    this.publishesInFlight += 1;
    return this.publishNow(topic, message);
  }

  private async publishNow<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    try {
      validateOutgoing(COMPONENT, this.capabilities, message);
      checkHeaders(message.headers ?? {});
      const id = message.id ?? randomUUID();
      const exchange = this.naming.exchange(topic);
      const { content, options } = encodeOutgoing(message, id, new Date());
      try {
        if (!this.topology.topicReady(topic)) await this.topology.requireTopic(topic);
        await this.publisher.send(exchange, "", content, options);
      } catch (error) {
        throw publishFailure(topic, error);
      }
      return { id };
    } finally {
      this.publishesInFlight -= 1;
      if (this.publishesInFlight === 0) this.publishesSettled?.();
    }
  }

  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen("publish");
    const outcomes = new BatchOutcomes();
    for (let start = 0; start < messages.length; start += this.capabilities.maxBatchSize) {
      const chunk = messages.slice(start, start + this.capabilities.maxBatchSize);
      outcomes.settled(await Promise.allSettled(chunk.map((message) => this.publish(topic, message))), chunk, start);
    }
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
    const maxConcurrency = options.maxConcurrency ?? this.defaultConcurrency;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 65_535) {
      throw new TaskflowError(
        COMPONENT,
        `maxConcurrency must be a whole number from 1 to 65535, got ${maxConcurrency}`,
      );
    }
    await this.topology.requireSubscription(topic, subscription);
    const consumer = new RabbitMqConsumer(this.link, this.topology, this.publisher, handler as MessageHandler, {
      topic,
      subscription,
      queue: this.naming.queue(topic, subscription),
      maxConcurrency,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      backoff: options.backoff ?? {},
      timeoutMs: this.timeoutMs,
    });
    try {
      await consumer.start();
    } catch (error) {
      await consumer.close();
      throw topologyFailure(`start a consumer on subscription "${subscription}"`, error, topic, subscription);
    }
    this.consumers.add(consumer);
    const close = consumer.close.bind(consumer);
    return {
      topic,
      name: subscription,
      close: async () => {
        await close();
        this.consumers.delete(consumer);
      },
    };
  }

  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen("create a topic");
    await this.topology.ensureTopic(topic);
  }

  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen("create a subscription");
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
    await this.topology.ensureSubscription(topic, subscription);
  }

  async receiveDeadLetters<T>(
    topic: string,
    subscription: string,
    options: { readonly max?: number; readonly waitMs?: number } = {},
  ): Promise<DeadLetter<T>[]> {
    this.assertOpen("read dead letters");
    const max = options.max ?? 10;
    const deadline = Date.now() + (options.waitMs ?? 1_000);
    const queue = deadLetterQueue(this.naming.queue(topic, subscription));
    await this.topology.requireSubscription(topic, subscription);
    const letters: DeadLetter<T>[] = [];
    try {
      await this.link.withChannel(this.timeoutMs, async (channel) => {
        while (letters.length < max) {
          const got = await channel.get(queue, { noAck: false });
          if (got) {
            letters.push(decodeDeadLetter<T>(got, topic));
            channel.ack(got);
          } else if (Date.now() >= deadline) {
            break;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        }
      });
    } catch (error) {
      throw topologyFailure(`read the dead-letter queue of subscription "${subscription}"`, error, topic, subscription);
    }
    return letters;
  }

  async ping(): Promise<boolean> {
    if (this.closing || !this.link.connected) return false;
    try {
      await this.link.withChannel(2_000, (channel) => channel.checkExchange("amq.topic"));
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes a subscription's queues and dead-letter exchange; for teardown and tests. */
  deleteSubscription(topic: string, subscription: string): Promise<void> {
    return this.topology.deleteSubscription(topic, subscription);
  }

  /** Deletes a topic's exchange; for teardown and tests. */
  deleteTopic(topic: string): Promise<void> {
    return this.topology.deleteTopic(topic);
  }

  /** Stops every consumer (running handlers finish and are acked), flushes publishes, disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.consumers].map((consumer) => consumer.close()));
      this.consumers.clear();
      if (this.publishesInFlight > 0) await new Promise<void>((resolve) => (this.publishesSettled = resolve));
      await this.link.close();
    })();
    return this.closing;
  }

  private assertOpen(what: string): void {
    if (this.closing) throw new ClosedError(COMPONENT, what);
  }
}

/** Connects (retrying until `connectTimeoutMs`) and returns the broker. */
export async function createRabbitMqBroker(options: RabbitMqBrokerOptions): Promise<RabbitMqBroker> {
  const link = new AmqpLink({
    url: options.url,
    heartbeatSeconds: options.heartbeatSeconds ?? 15,
    reconnect: { initialMs: options.reconnect?.initialMs ?? 100, maxMs: options.reconnect?.maxMs ?? 5_000 },
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    ...(options.tlsCa === undefined ? {} : { tlsCa: options.tlsCa }),
  });
  await link.start();
  return new RabbitMqBroker(link, options);
}
