import type * as pulumi from "@pulumi/pulumi";
import type { SubscriptionDeclaration, TopicDeclaration } from "../../services/platform.js";

/**
 * The broker: a topic per declared topic, and per subscription a durable queue (or cloud
 * subscription) with its own dead-letter destination after `maxAttempts` deliveries.
 */
export interface MessagingArgs {
  readonly topics: readonly TopicDeclaration[];
  readonly subscriptions: readonly SubscriptionDeclaration[];
  /**
   * Days an unconsumed message stays on a subscription.
   * @default DEFAULTS.messageRetentionDays (7)
   */
  readonly retentionDays?: number;
  /**
   * Days a dead-lettered message is kept for inspection and redrive.
   * @default DEFAULTS.deadLetterRetentionDays (14)
   */
  readonly deadLetterRetentionDays?: number;
}

export interface TopicRef {
  /** What the adapter publishes to (BROKER_TOPICS): an SNS topic ARN, a Pub/Sub topic name. */
  readonly address: pulumi.Output<string>;
  /** What access policies name: the topic ARN (AWS) or id (GCP). */
  readonly id: pulumi.Output<string>;
}

export interface SubscriptionRef {
  /** What the adapter consumes from (BROKER_SUBSCRIPTIONS): an SQS queue URL, a Pub/Sub subscription name. */
  readonly address: pulumi.Output<string>;
  /** What access policies name: the queue ARN (AWS) or subscription id (GCP). */
  readonly id: pulumi.Output<string>;
  /** The dead-letter destination: a queue (AWS) or a topic with its own subscription (GCP). */
  readonly deadLetter: {
    readonly address: pulumi.Output<string>;
    readonly id: pulumi.Output<string>;
  };
}

export interface Messaging {
  readonly topics: Readonly<Record<string, TopicRef>>;
  readonly subscriptions: Readonly<Record<string, SubscriptionRef>>;
  /**
   * Settings the broker adapter needs beside BROKER_TOPICS and BROKER_SUBSCRIPTIONS, given to
   * every service that publishes or consumes (AWS: SNS_SQS_FIFO when the topics are FIFO; Azure:
   * the namespace host, known only once the namespace has its generated name).
   */
  readonly adapterEnvironment: Readonly<Record<string, pulumi.Input<string>>>;
}
