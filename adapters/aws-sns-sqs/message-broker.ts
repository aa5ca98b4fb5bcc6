import { CreateTopicCommand, GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { BatchOutcomes } from "../core/batch-outcomes.js";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { ClosedError, TaskflowError, UnsupportedFeatureError } from "../core/errors.js";
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
import { validateSubscribeOptions } from "../core/validate.js";
import { chunkBatch, SNS_MAX_PAYLOAD_BYTES } from "./batching.js";
import type { SnsSqsBrokerOptions } from "./config.js";
import { type QueueInfo, SqsConsumer } from "./consumer.js";
import { DeleteBatcher } from "./delete-batcher.js";
import { decodeAttributes } from "./envelope.js";
import { nameFromArn, topicName } from "./names.js";
import { COMPONENT, mapPublishError, mapSubscriptionError } from "./provider-errors.js";
import { type Prepared, prepareMessage, SnsPublisher } from "./publisher.js";
import { QueueDirectory } from "./queue-directory.js";

/**
 * Room kept below SNS's 256 KiB for our attributes (id, time, key, header names and the
 * packing). `publish` also measures the exact encoded size, so a message whose headers need
 * more room still fails with `MessageTooLargeError` before any network call.
 */
const ENCODING_RESERVE_BYTES = 2_048;

const BASE_CAPABILITIES = {
  ttl: false,
  delay: false,
  visibilityTimeout: true,
  lockRenewal: true,
  historyReplay: false,
  management: true,
  maxMessageBytes: SNS_MAX_PAYLOAD_BYTES - ENCODING_RESERVE_BYTES,
  // Headers past the 10 message attributes are packed into one, so the size limit binds first.
  maxHeaders: 100,
  maxBatchSize: 10,
} as const;

/** Standard topics and queues: no order, at-least-once with occasional duplicates. */
export const STANDARD_CAPABILITIES: BrokerCapabilities = { ...BASE_CAPABILITIES, ordering: false, dedupe: false };
/** FIFO topics and queues: order per key (message group), dedupe by id within five minutes. */
export const FIFO_CAPABILITIES: BrokerCapabilities = { ...BASE_CAPABILITIES, ordering: true, dedupe: true };

/** IMessageBroker on an SNS topic per topic and an SQS queue (with its DLQ) per subscription. */
export class SnsSqsMessageBroker implements IMessageBroker {
  readonly name = COMPONENT;
  readonly capabilities: BrokerCapabilities;
  private readonly sns: SNSClient;
  private readonly sqs: SQSClient;
  private readonly fifo: boolean;
  private readonly autoCreate: boolean;
  private readonly prefix: string;
  private readonly topicArns = new OncePerKey<string>();
  private readonly queues: QueueDirectory;
  private readonly publisher: SnsPublisher;
  private readonly consumers = new Set<SqsConsumer>();
  private readonly publishing = new InFlight();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SnsSqsBrokerOptions) {
    const client = {
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    this.sns = new SNSClient(client);
    this.sqs = new SQSClient(client);
    this.fifo = options.fifo ?? false;
    this.autoCreate = options.autoCreate ?? true;
    this.prefix = options.namePrefix ?? "";
    this.capabilities = this.fifo ? FIFO_CAPABILITIES : STANDARD_CAPABILITIES;
    this.publisher = new SnsPublisher(this.sns, this.fifo);
    this.queues = new QueueDirectory(this.sqs, this.sns, {
      fifo: this.fifo,
      prefix: this.prefix,
      mapped: options.subscriptions ?? {},
      topicArn: (topic, create) => this.topicArn(topic, create),
    });
  }

  async publish<T>(topic: string, message: OutgoingMessage<T>): Promise<PublishReceipt> {
    this.assertOpen("publish");
    const prepared = prepareMessage(this.capabilities, message, 0);
    return this.publishing.track(
      (async () => {
        try {
          const arn = await this.topicArn(topic, this.autoCreate);
          await this.publisher.publish(topic, arn, prepared);
          return { id: prepared.id };
        } catch (error) {
          throw mapPublishError(topic, error);
        }
      })(),
    );
  }

  async publishBatch<T>(topic: string, messages: readonly OutgoingMessage<T>[]): Promise<BatchPublishResult> {
    this.assertOpen("publish a batch");
    const outcomes = new BatchOutcomes();
    const ready: Prepared[] = [];
    messages.forEach((message, index) => {
      try {
        ready.push(prepareMessage(this.capabilities, message, index));
      } catch (error) {
        outcomes.failedWith(index, message.id, error);
      }
    });
    if (ready.length > 0) {
      await this.publishing.track(
        (async () => {
          let arn: string;
          try {
            arn = await this.topicArn(topic, this.autoCreate);
          } catch (error) {
            const mapped = mapPublishError(topic, error);
            for (const entry of ready) outcomes.failedWith(entry.index, entry.id, mapped);
            return;
          }
          await Promise.all(
            chunkBatch(ready).map(async (chunk) => {
              const errors = await this.publisher.sendBatch(topic, arn, chunk);
              chunk.forEach((entry, position) => {
                const error = errors[position];
                if (error) outcomes.failedWith(entry.index, entry.id, error);
                else outcomes.succeeded(entry.index, entry.id);
              });
            }),
          );
        })(),
      );
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
    this.assertSupported(options);
    let queue: QueueInfo;
    try {
      queue = await this.queues.resolve(topic, subscription, options, this.autoCreate);
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, error);
    }
    this.assertOpen("subscribe");
    const consumer = new SqsConsumer(
      this.sqs,
      topic,
      subscription,
      queue,
      handler as MessageHandler<unknown>,
      {
        ...pullConsumerOptions(options),
        waitTimeSeconds: this.options.waitTimeSeconds ?? 5,
      },
      (closed) => this.consumers.delete(closed),
    );
    this.consumers.add(consumer);
    consumer.start();
    return consumer;
  }

  async ensureTopic(topic: string): Promise<void> {
    this.assertOpen("create a topic");
    await this.topicArn(topic, true);
  }

  async ensureSubscription(topic: string, subscription: string, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen("create a subscription");
    this.assertSupported(options);
    try {
      await this.queues.resolve(topic, subscription, options, true);
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
    let queue: QueueInfo;
    try {
      queue = await this.queues.resolve(topic, subscription, {}, false);
    } catch (error) {
      throw mapSubscriptionError(topic, subscription, error);
    }
    if (!queue.deadLetterUrl) return [];
    const deletes = new DeleteBatcher(this.sqs, queue.deadLetterUrl);
    const letters: DeadLetter<T>[] = [];
    do {
      const waitSeconds = Math.min(20, Math.max(0, Math.floor((deadline - Date.now()) / 1_000)));
      const result = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.deadLetterUrl,
          MaxNumberOfMessages: Math.min(10, max - letters.length),
          WaitTimeSeconds: waitSeconds,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["SentTimestamp"],
        }),
      );
      for (const raw of result.Messages ?? []) {
        const envelope = decodeAttributes(raw.MessageAttributes);
        letters.push({
          id: envelope.id ?? raw.MessageId ?? "",
          topic,
          key: envelope.key,
          headers: envelope.headers,
          body: JSON.parse(raw.Body ?? "null") as T,
          // The dead-letter copy's own receive count says nothing of the attempts it took.
          attempt: envelope.attempts ?? queue.maxAttempts,
          publishedAt: envelope.publishedAt ?? new Date(Number(raw.Attributes?.SentTimestamp ?? 0)),
          // Without our attribute the queue's redrive policy moved it: a consumer died or stalled.
          reason: envelope.reason ?? `received ${queue.maxAttempts} times without being settled (redrive policy)`,
        });
        void deletes.delete(raw.ReceiptHandle ?? "").catch(() => undefined);
      }
    } while (letters.length < max && Date.now() < deadline);
    await deletes.drain();
    return letters;
  }

  async ping(): Promise<boolean> {
    try {
      await this.sns.send(new ListTopicsCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.consumers].map((consumer) => consumer.close()));
      await this.publishing.settled();
      this.sns.destroy();
      this.sqs.destroy();
    })();
    return this.closing;
  }

  /** The topic's ARN: from the stacks' map, created (idempotent), or looked up by name. */
  private topicArn(topic: string, create: boolean): Promise<string> {
    const mapped = this.options.topics?.[topic];
    if (mapped) return Promise.resolve(mapped);
    // Only a found or created topic is remembered; a miss is asked again next time.
    return this.topicArns.run(topic, () => {
      const name = topicName(this.prefix, topic, this.fifo);
      return create ? this.createTopic(name) : this.findTopic(topic, name);
    });
  }

  private async createTopic(name: string): Promise<string> {
    const attributes: Record<string, string> = this.fifo
      ? { FifoTopic: "true", ContentBasedDeduplication: "false" }
      : {};
    const result = await this.sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    if (!result.TopicArn) throw new TaskflowError(COMPONENT, `CreateTopic for "${name}" returned no ARN`);
    return result.TopicArn;
  }

  /** Without auto-create only an existing topic will do; SNS can be asked only by listing. */
  private async findTopic(topic: string, name: string): Promise<string> {
    let next: string | undefined;
    do {
      const page = await this.sns.send(new ListTopicsCommand({ NextToken: next }));
      const found = page.Topics?.find((entry) => entry.TopicArn && nameFromArn(entry.TopicArn) === name);
      if (found?.TopicArn) {
        await this.sns.send(new GetTopicAttributesCommand({ TopicArn: found.TopicArn }));
        return found.TopicArn;
      }
      next = page.NextToken;
    } while (next);
    throw mapPublishError(topic, Object.assign(new Error(`no SNS topic named "${name}"`), { name: "NotFound" }));
  }

  private assertSupported(options: SubscribeOptions): void {
    if (options.ordered && !this.capabilities.ordering) {
      throw new UnsupportedFeatureError(COMPONENT, "ordered subscriptions", "create the broker with fifo: true");
    }
    validateSubscribeOptions(COMPONENT, this.capabilities, options);
  }

  private assertOpen(what: string): void {
    if (this.closing) throw new ClosedError(COMPONENT, what);
  }
}

export function createSnsSqsBroker(options: SnsSqsBrokerOptions): IMessageBroker {
  return new SnsSqsMessageBroker(options);
}
