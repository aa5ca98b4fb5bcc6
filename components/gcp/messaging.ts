import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../api/defaults.js";
import type { Messaging, MessagingArgs, SubscriptionArgs, SubscriptionRef, TopicRef } from "../api/messaging.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";

export interface GcpMessagingArgs extends MessagingArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly topic?: Transform<gcp.pubsub.TopicArgs>;
    readonly subscription?: Transform<gcp.pubsub.SubscriptionArgs>;
    readonly deadLetterTopic?: Transform<gcp.pubsub.TopicArgs>;
  };
}

const DAY_SECONDS = 86_400;
/** Pub/Sub keeps acknowledged or not, at most this long on a subscription (topics may keep up to 31 days). */
const SUBSCRIPTION_RETENTION_MAX_DAYS = 7;
/** Pub/Sub's bounds on an ack deadline. */
const ACK_DEADLINE = { min: 10, max: 600 } as const;

/**
 * Pub/Sub topics and one subscription per declared subscription, each with its own
 * dead-letter topic after `maxAttempts` deliveries. A dead-letter topic gets a subscription of
 * its own, named like the topic (where the adapter looks for it), because Pub/Sub drops
 * messages published to a topic nobody subscribes to. The Pub/Sub
 * service agent is granted exactly what dead-lettering needs: publish on the dead-letter topic,
 * subscribe on the source subscription.
 */
export class GcpMessaging extends pulumi.ComponentResource implements Messaging {
  readonly topics: Record<string, TopicRef> = {};
  readonly subscriptions: Record<string, SubscriptionRef> = {};
  /** The Pub/Sub adapter takes full resource paths from BROKER_TOPICS/BROKER_SUBSCRIPTIONS and needs nothing else. */
  readonly adapterEnvironment: Record<string, string> = {};
  private readonly serviceAgent: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: GcpMessagingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:gcp:Messaging", name, {}, opts);
    const project = gcp.organizations.getProjectOutput({ projectId: args.project }, { parent: this });
    this.serviceAgent = pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-pubsub.iam.gserviceaccount.com`;

    const topics = new Map<string, gcp.pubsub.Topic>();
    for (const declaration of args.topics) {
      const topic = new gcp.pubsub.Topic(
        ...transformed(
          args.transform?.topic,
          `${name}-${declaration.name}`,
          { name: physicalName(GCP_NAMES.pubSub, name, declaration.name), project: args.project },
          { parent: this },
        ),
      );
      topics.set(declaration.name, topic);
      this.topics[declaration.name] = { address: topic.id, id: topic.id };
    }
    for (const declaration of args.subscriptions) {
      const topic = topics.get(declaration.topic);
      if (!topic) {
        throw new Error(
          `[taskflow] [gcp] subscription "${declaration.name}" names topic "${declaration.topic}", which is not declared`,
        );
      }
      this.subscriptions[declaration.name] = this.createSubscription(declaration, topic);
    }
    this.registerOutputs({ topics: this.topics, subscriptions: this.subscriptions });
  }

  private createSubscription(declaration: SubscriptionArgs, topic: gcp.pubsub.Topic): SubscriptionRef {
    const { args } = this;
    const base = physicalName(GCP_NAMES.pubSub, this.name, declaration.name);
    const deadLetterRetention = `${(args.deadLetterRetentionDays ?? DEFAULTS.deadLetterRetentionDays) * DAY_SECONDS}s`;
    const deadLetterTopic = new gcp.pubsub.Topic(
      ...transformed(
        args.transform?.deadLetterTopic,
        `${this.name}-${declaration.name}-dlq`,
        { name: `${base}-dlq`, project: args.project, messageRetentionDuration: deadLetterRetention },
        { parent: this },
      ),
    );
    // Keeps dead letters for inspection and redrive; nothing in the application consumes it.
    new gcp.pubsub.Subscription(
      `${this.name}-${declaration.name}-dlq`,
      {
        name: `${base}-dlq`,
        topic: deadLetterTopic.id,
        project: args.project,
        // A subscription keeps at most seven days (Pub/Sub refuses more); the topic keeps the rest.
        messageRetentionDuration: `${Math.min(args.deadLetterRetentionDays ?? DEFAULTS.deadLetterRetentionDays, SUBSCRIPTION_RETENTION_MAX_DAYS) * DAY_SECONDS}s`,
        expirationPolicy: { ttl: "" },
      },
      { parent: this },
    );
    const ackDeadline = Math.min(ACK_DEADLINE.max, Math.max(ACK_DEADLINE.min, Math.ceil(declaration.lockMs / 1000)));
    const subscription = new gcp.pubsub.Subscription(
      ...transformed(
        args.transform?.subscription,
        `${this.name}-${declaration.name}`,
        {
          name: base,
          topic: topic.id,
          project: args.project,
          ackDeadlineSeconds: ackDeadline,
          enableMessageOrdering: declaration.ordered,
          messageRetentionDuration: `${(args.retentionDays ?? DEFAULTS.messageRetentionDays) * DAY_SECONDS}s`,
          // An empty ttl means the subscription never expires when idle.
          expirationPolicy: { ttl: "" },
          retryPolicy: {
            minimumBackoff: `${DEFAULTS.retryBackoff.minSeconds}s`,
            maximumBackoff: `${DEFAULTS.retryBackoff.maxSeconds}s`,
          },
          deadLetterPolicy: { deadLetterTopic: deadLetterTopic.id, maxDeliveryAttempts: declaration.maxAttempts },
          // The adapter reads these to dead-letter itself after exactly maxAttempts and to keep the
          // declared lock time where Pub/Sub rounds ack deadlines to whole seconds.
          labels: { tf_max_attempts: String(declaration.maxAttempts), tf_lock_ms: String(declaration.lockMs) },
        },
        { parent: this },
      ),
    );
    new gcp.pubsub.TopicIAMMember(
      `${this.name}-${declaration.name}-dlq-agent`,
      { topic: deadLetterTopic.id, project: args.project, role: "roles/pubsub.publisher", member: this.serviceAgent },
      { parent: this },
    );
    new gcp.pubsub.SubscriptionIAMMember(
      `${this.name}-${declaration.name}-agent`,
      {
        subscription: subscription.id,
        project: args.project,
        role: "roles/pubsub.subscriber",
        member: this.serviceAgent,
      },
      { parent: this },
    );
    return {
      address: subscription.id,
      id: subscription.id,
      deadLetter: { address: deadLetterTopic.id, id: deadLetterTopic.id },
    };
  }
}
