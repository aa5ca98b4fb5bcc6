import { type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SubscriptionOptions } from "../core/message-broker.js";
import { OncePerKey } from "../core/once-per-key.js";
import type { QueueInfo } from "./consumer.js";
import { deadLetterQueueName, nameFromArn, queueName } from "./names.js";
import { redrivePolicy, siblingArn, topicSendPolicy } from "./queue-policy.js";

export interface DirectoryOptions {
  readonly fifo: boolean;
  readonly prefix: string;
  /** Logical subscription → queue URL from the stacks. */
  readonly mapped: Readonly<Record<string, string>>;
  readonly topicArn: (topic: string, create: boolean) => Promise<string>;
}

const RETENTION_14_DAYS = String(14 * 24 * 3600);
const ALREADY_EXISTS = new Set(["QueueNameExists", "QueueAlreadyExists", "AWS.SimpleQueueService.QueueNameExists"]);

/**
 * Finds or creates the queue behind a subscription, with its dead-letter queue, redrive
 * policy, access policy and SNS subscription. A queue that already exists keeps its
 * settings (as on every cloud, a subscription is fixed once created): they are read back
 * from it rather than taken from the options.
 */
export class QueueDirectory {
  private readonly known = new OncePerKey<QueueInfo>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly sns: SNSClient,
    private readonly options: DirectoryOptions,
  ) {}

  resolve(topic: string, subscription: string, settings: SubscriptionOptions, create: boolean): Promise<QueueInfo> {
    return this.known.run(`${topic}\u0000${subscription}`, () => {
      const mapped = this.options.mapped[subscription];
      if (mapped) return this.describe(mapped);
      return create ? this.create(topic, subscription, settings) : this.find(topic, subscription);
    });
  }

  private async find(topic: string, subscription: string): Promise<QueueInfo> {
    const name = queueName(this.options.prefix, topic, subscription, this.options.fifo);
    const result = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return this.describe(result.QueueUrl ?? "");
  }

  private async create(topic: string, subscription: string, settings: SubscriptionOptions): Promise<QueueInfo> {
    const { fifo, prefix } = this.options;
    const maxAttempts = Math.min(1_000, Math.max(1, settings.maxAttempts ?? 5));
    const lockSeconds = Math.min(43_200, Math.max(1, Math.ceil((settings.lockMs ?? 30_000) / 1_000)));
    const topicArn = await this.options.topicArn(topic, true);
    const fifoAttributes: Record<string, string> = fifo
      ? { FifoQueue: "true", ContentBasedDeduplication: "false" }
      : {};

    const deadLetter = await this.createQueue(deadLetterQueueName(prefix, topic, subscription, fifo), {
      ...fifoAttributes,
      MessageRetentionPeriod: RETENTION_14_DAYS,
    });
    const deadLetterArn = await this.queueArn(deadLetter.url);
    const name = queueName(prefix, topic, subscription, fifo);
    const arn = siblingArn(deadLetterArn, name);
    const queue = await this.createQueue(name, {
      ...fifoAttributes,
      VisibilityTimeout: String(lockSeconds),
      RedrivePolicy: redrivePolicy(deadLetterArn, maxAttempts),
      Policy: topicSendPolicy(arn, topicArn),
    });
    // Subscribe is idempotent for the same topic, endpoint and attributes.
    await this.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: "sqs",
        Endpoint: arn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    if (queue.existed) return this.describe(queue.url);
    return { url: queue.url, deadLetterUrl: deadLetter.url, maxAttempts, lockSeconds, fifo };
  }

  private async createQueue(
    name: string,
    attributes: Record<string, string>,
  ): Promise<{ url: string; existed: boolean }> {
    try {
      const result = await this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      return { url: result.QueueUrl ?? "", existed: false };
    } catch (error) {
      if (!(error instanceof Error) || !ALREADY_EXISTS.has(error.name)) throw error;
      const result = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      return { url: result.QueueUrl ?? "", existed: true };
    }
  }

  private async queueArn(url: string): Promise<string> {
    const attributes = await this.attributes(url, ["QueueArn"]);
    if (!attributes.QueueArn) throw new Error(`queue ${url} reported no QueueArn`);
    return attributes.QueueArn;
  }

  /** Reads an existing queue's settings; its redrive policy names the DLQ and max attempts. */
  private async describe(url: string): Promise<QueueInfo> {
    const attributes = await this.attributes(url, ["RedrivePolicy", "VisibilityTimeout", "FifoQueue"]);
    const redrive = attributes.RedrivePolicy
      ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string })
      : undefined;
    let deadLetterUrl: string | undefined;
    if (redrive?.deadLetterTargetArn) {
      const arnParts = redrive.deadLetterTargetArn.split(":");
      const result = await this.sqs.send(
        new GetQueueUrlCommand({
          QueueName: nameFromArn(redrive.deadLetterTargetArn),
          QueueOwnerAWSAccountId: arnParts[4] || undefined,
        }),
      );
      deadLetterUrl = result.QueueUrl;
    }
    return {
      url,
      deadLetterUrl,
      maxAttempts: Number(redrive?.maxReceiveCount ?? 5),
      lockSeconds: Number(attributes.VisibilityTimeout ?? 30),
      fifo: attributes.FifoQueue === "true",
    };
  }

  private async attributes(url: string, names: QueueAttributeName[]): Promise<Partial<Record<string, string>>> {
    const result = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }));
    return result.Attributes ?? {};
  }
}
