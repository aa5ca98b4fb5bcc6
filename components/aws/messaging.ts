import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type {
  Messaging,
  MessagingArgs,
  SubscriptionArgs,
  SubscriptionRef,
  TopicArgs,
  TopicRef,
} from "../api/messaging.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { AWS_NAMES } from "./names.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsMessagingArgs extends MessagingArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly topic?: Transform<aws.sns.TopicArgs>;
    readonly queue?: Transform<aws.sqs.QueueArgs>;
    readonly deadLetterQueue?: Transform<aws.sqs.QueueArgs>;
    readonly subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
  };
}

const DAY_SECONDS = 86_400;

/**
 * SNS topics fanning out to one SQS queue per subscription, each with its own dead-letter
 * queue after `maxAttempts` receives. Ordered topics are FIFO end to end (SNS FIFO only
 * delivers to FIFO queues), keyed by the message's ordering key as MessageGroupId and
 * de-duplicated by message id. Queues use
 * SQS-managed encryption; SNS holds messages only in flight.
 */
export class AwsMessaging extends pulumi.ComponentResource implements Messaging {
  readonly topics: Record<string, TopicRef> = {};
  readonly subscriptions: Record<string, SubscriptionRef> = {};
  readonly adapterEnvironment: Record<string, string>;

  constructor(
    private readonly name: string,
    private readonly args: AwsMessagingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:Messaging", name, {}, opts);
    // The SNS/SQS adapter runs FIFO or standard for all its topics at once, so one ordered topic
    // makes every topic and queue FIFO.
    const fifo = args.topics.some((t) => t.ordered);
    this.adapterEnvironment = fifo ? { SNS_SQS_FIFO: "true" } : {};
    const topics = new Map<string, { topic: aws.sns.Topic; fifo: boolean }>();
    for (const declaration of args.topics) {
      const topic = this.createTopic(declaration, fifo);
      topics.set(declaration.name, { topic, fifo });
      this.topics[declaration.name] = { address: topic.arn, id: topic.arn };
    }
    for (const declaration of args.subscriptions) {
      const source = topics.get(declaration.topic);
      if (!source) {
        throw new Error(
          `[taskflow] [aws] subscription "${declaration.name}" names topic "${declaration.topic}", which is not declared`,
        );
      }
      this.subscriptions[declaration.name] = this.createSubscription(declaration, source.topic, source.fifo);
    }
    this.registerOutputs({ topics: this.topics, subscriptions: this.subscriptions });
  }

  private createTopic(declaration: TopicArgs, fifo: boolean): aws.sns.Topic {
    const base = physicalName(AWS_NAMES.topic, this.name, declaration.name);
    return new aws.sns.Topic(
      ...transformed(
        this.args.transform?.topic,
        `${this.name}-${declaration.name}`,
        {
          // Encrypted at rest with the account's AWS-managed SNS key: no key policy to keep, and
          // publishers in the account need no extra grant.
          kmsMasterKeyId: "alias/aws/sns",
          ...(fifo ? { name: `${base}.fifo`, fifoTopic: true, contentBasedDeduplication: false } : { name: base }),
        },
        { parent: this },
      ),
    );
  }

  private createSubscription(declaration: SubscriptionArgs, topic: aws.sns.Topic, fifo: boolean): SubscriptionRef {
    const base = physicalName(AWS_NAMES.queue, this.name, declaration.name);
    const fifoArgs = fifo
      ? { fifoQueue: true, deduplicationScope: "messageGroup", fifoThroughputLimit: "perMessageGroupId" }
      : {};
    const deadLetter = new aws.sqs.Queue(
      ...transformed(
        this.args.transform?.deadLetterQueue,
        `${this.name}-${declaration.name}-dlq`,
        {
          name: `${base}-dlq${fifo ? ".fifo" : ""}`,
          messageRetentionSeconds:
            (this.args.deadLetterRetentionDays ?? DEFAULTS.deadLetterRetentionDays) * DAY_SECONDS,
          sqsManagedSseEnabled: true,
          ...fifoArgs,
        },
        { parent: this },
      ),
    );
    const queue = new aws.sqs.Queue(
      ...transformed(
        this.args.transform?.queue,
        `${this.name}-${declaration.name}`,
        {
          name: `${base}${fifo ? ".fifo" : ""}`,
          visibilityTimeoutSeconds: Math.ceil(declaration.lockMs / 1000),
          messageRetentionSeconds: (this.args.retentionDays ?? DEFAULTS.messageRetentionDays) * DAY_SECONDS,
          receiveWaitTimeSeconds: 20,
          sqsManagedSseEnabled: true,
          redrivePolicy: pulumi.jsonStringify({
            deadLetterTargetArn: deadLetter.arn,
            maxReceiveCount: declaration.maxAttempts,
          }),
          ...fifoArgs,
        },
        { parent: this },
      ),
    );
    new aws.sqs.QueuePolicy(
      `${this.name}-${declaration.name}`,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "TopicDelivers",
              Effect: "Allow",
              Principal: { Service: "sns.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queue.arn,
              Condition: { ArnEquals: { "aws:SourceArn": topic.arn } },
            },
          ],
        }),
      },
      { parent: this },
    );
    new aws.sns.TopicSubscription(
      ...transformed(
        this.args.transform?.subscription,
        `${this.name}-${declaration.name}`,
        // Raw delivery keeps the adapter's body and attributes as published, without SNS's JSON envelope.
        { topic: topic.arn, protocol: "sqs", endpoint: queue.arn, rawMessageDelivery: true },
        { parent: this },
      ),
    );
    return { address: queue.url, id: queue.arn, deadLetter: { address: deadLetter.url, id: deadLetter.arn } };
  }
}
