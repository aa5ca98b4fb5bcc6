import * as servicebus from "@pulumi/azure-native/servicebus/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { SubscriptionDeclaration, TopicDeclaration } from "../../services/platform.js";
import { DEFAULTS } from "../api/defaults.js";
import type { Messaging, MessagingArgs, SubscriptionRef, TopicRef } from "../api/messaging.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import type { AzurePlacement } from "./placement.js";

export interface AzureMessagingArgs extends MessagingArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly namespace?: Transform<servicebus.NamespaceArgs>;
    readonly topic?: Transform<servicebus.TopicArgs>;
    readonly subscription?: Transform<servicebus.SubscriptionArgs>;
  };
}

/** Service Bus accepts a lock duration from 5 seconds to 5 minutes. */
export const LOCK_RANGE_MS = { min: 5_000, max: 300_000 } as const;
/** The window in which a repeated message id is dropped; the adapter uses the same when it creates topics. */
export const DUPLICATE_DETECTION_WINDOW = "PT10M";

/** `lockMs` as Service Bus's ISO 8601 lock duration; a value it cannot hold is refused, never clamped. */
export function serviceBusLockDuration(subscription: string, lockMs: number): string {
  if (!Number.isInteger(lockMs) || lockMs < LOCK_RANGE_MS.min || lockMs > LOCK_RANGE_MS.max) {
    throw new Error(
      `[taskflow] [azure] subscription "${subscription}": lockMs ${lockMs} is outside what Service Bus allows (5000 to 300000 ms, at most 5 minutes); lower it in services/platform.ts, and renew the lock in the handler for longer work`,
    );
  }
  return `PT${Math.ceil(lockMs / 1000)}S`;
}

/** The entity paths the Service Bus adapter opens: a topic, a subscription and its dead-letter sub-queue. */
export const entityPath = {
  subscription: (topic: string, subscription: string) => `${topic}/Subscriptions/${subscription}`,
  deadLetter: (topic: string, subscription: string) => `${topic}/Subscriptions/${subscription}/$DeadLetterQueue`,
};

/**
 * A Service Bus namespace (Standard: topics, sessions, duplicate detection) with local (SAS)
 * authentication off, so only Entra ID identities with a role get in, and TLS 1.2 at least.
 * One topic per declared topic and one subscription per declared subscription, with
 * `maxDeliveryCount` = maxAttempts, the declared lock, dead-lettering on expiry, and sessions
 * where the subscription is ordered. The dead-letter queue is each subscription's own
 * `$DeadLetterQueue` sub-queue: nothing to create, and the subscription's roles cover it.
 */
export class AzureMessaging extends pulumi.ComponentResource implements Messaging {
  readonly topics: Record<string, TopicRef> = {};
  readonly subscriptions: Record<string, SubscriptionRef> = {};
  readonly adapterEnvironment: Record<string, pulumi.Input<string>>;
  readonly namespaceName: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: AzureMessagingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:Messaging", name, {}, opts);
    const { placement } = args;
    // Refused before anything is created, so a bad declaration leaves nothing half-made.
    const locks = new Map(args.subscriptions.map((s) => [s.name, serviceBusLockDuration(s.name, s.lockMs)]));
    const namespace = new servicebus.Namespace(
      ...transformed(
        args.transform?.namespace,
        `${name}-namespace`,
        {
          namespaceName: globalName(AZURE_NAME_RULES.serviceBusNamespace, placement.suffix, name),
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          sku: { name: "Standard", tier: "Standard" },
          disableLocalAuth: true,
          minimumTlsVersion: "1.2",
        },
        { parent: this },
      ),
    );
    this.namespaceName = namespace.name;
    this.adapterEnvironment = { SERVICEBUS_NAMESPACE: pulumi.interpolate`${namespace.name}.servicebus.windows.net` };

    const topics = new Map<string, servicebus.Topic>();
    for (const declaration of args.topics) {
      const topic = this.createTopic(declaration, namespace);
      topics.set(declaration.name, topic);
      this.topics[declaration.name] = { address: topic.name, id: topic.id };
    }
    for (const declaration of args.subscriptions) {
      const topic = topics.get(declaration.topic);
      if (!topic) {
        throw new Error(
          `[taskflow] [azure] subscription "${declaration.name}" names topic "${declaration.topic}", which is not declared`,
        );
      }
      this.subscriptions[declaration.name] = this.createSubscription(
        declaration,
        topic,
        namespace,
        locks.get(declaration.name) as string,
      );
    }
    this.registerOutputs({ topics: this.topics, subscriptions: this.subscriptions });
  }

  private createTopic(declaration: TopicDeclaration, namespace: servicebus.Namespace): servicebus.Topic {
    return new servicebus.Topic(
      ...transformed(
        this.args.transform?.topic,
        `${this.name}-${declaration.name}`,
        {
          // The namespace is the stack's own, so the topic keeps its logical name.
          topicName: declaration.name,
          namespaceName: namespace.name,
          resourceGroupName: this.args.placement.resourceGroupName,
          // The adapter publishes with the message id as Service Bus's message id, so a retried
          // publish inside the window is dropped by the broker.
          requiresDuplicateDetection: true,
          duplicateDetectionHistoryTimeWindow: DUPLICATE_DETECTION_WINDOW,
          supportOrdering: declaration.ordered,
          defaultMessageTimeToLive: `P${this.args.retentionDays ?? DEFAULTS.messageRetentionDays}D`,
        },
        { parent: this },
      ),
    );
  }

  private createSubscription(
    declaration: SubscriptionDeclaration,
    topic: servicebus.Topic,
    namespace: servicebus.Namespace,
    lockDuration: string,
  ): SubscriptionRef {
    const subscription = new servicebus.Subscription(
      ...transformed(
        this.args.transform?.subscription,
        `${this.name}-${declaration.name}`,
        {
          subscriptionName: declaration.name,
          topicName: topic.name,
          namespaceName: namespace.name,
          resourceGroupName: this.args.placement.resourceGroupName,
          maxDeliveryCount: declaration.maxAttempts,
          lockDuration,
          // Per-key order: the adapter sends the key as the session id and takes one session at a time.
          requiresSession: declaration.ordered,
          deadLetteringOnMessageExpiration: true,
          deadLetteringOnFilterEvaluationExceptions: true,
          defaultMessageTimeToLive: `P${this.args.retentionDays ?? DEFAULTS.messageRetentionDays}D`,
        },
        { parent: this },
      ),
    );
    const names = pulumi.all([topic.name, subscription.name]);
    return {
      address: names.apply(([t, s]) => entityPath.subscription(t, s)),
      id: subscription.id,
      // The subscription's own sub-queue; a Data Receiver role on the subscription covers it.
      deadLetter: { address: names.apply(([t, s]) => entityPath.deadLetter(t, s)), id: subscription.id },
    };
  }
}
