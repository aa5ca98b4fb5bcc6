import type { v1 } from "@google-cloud/pubsub";
import type { SubscriptionOptions } from "../core/message-broker.js";
import { OncePerKey } from "../core/once-per-key.js";
import type { SubscriptionInfo } from "./consumer.js";
import { deadLetterId, parsePath, subscriptionId, subscriptionPath, topicPath } from "./names.js";
import { GRPC, grpcCode } from "./provider-errors.js";

export interface DirectoryOptions {
  readonly project: string;
  readonly prefix: string;
  /** Logical subscription → full subscription name, from the stacks. */
  readonly mapped: Readonly<Record<string, string>>;
  readonly topicPath: (topic: string, create: boolean) => Promise<string>;
  readonly publisher: () => Promise<v1.PublisherClient>;
  readonly subscriber: () => Promise<v1.SubscriberClient>;
}

/** Pub/Sub's bounds: ack deadline 10–600 s, dead-letter max delivery attempts 5–100. */
const ACK_DEADLINE = { min: 10, max: 600 };
const DELIVERY_ATTEMPTS = { min: 5, max: 100 };
/** Labels keep what the adapter was asked for where Pub/Sub's bounds forced another value. */
const LOCK_LABEL = "tf_lock_ms";
const ATTEMPTS_LABEL = "tf_max_attempts";

const clamp = (value: number, bounds: { min: number; max: number }) =>
  Math.min(bounds.max, Math.max(bounds.min, value));

/**
 * Finds or creates a subscription with its dead-letter topic and the subscription on that
 * topic that `receiveDeadLetters` reads. Pub/Sub will not take fewer than 5 delivery
 * attempts or an ack deadline under 10 s; the adapter enforces smaller values itself (it
 * dead-letters after `maxAttempts` and shortens each delivery's deadline to `lockMs`) and
 * records them as labels, so every consumer of the subscription reads the same values.
 */
export class SubscriptionDirectory {
  private readonly known = new OncePerKey<SubscriptionInfo>();

  constructor(private readonly options: DirectoryOptions) {}

  resolve(
    topic: string,
    subscription: string,
    settings: SubscriptionOptions,
    create: boolean,
  ): Promise<SubscriptionInfo> {
    return this.known.run(`${topic}\u0000${subscription}`, () => {
      const mapped = this.options.mapped[subscription];
      const path =
        mapped ?? subscriptionPath(this.options.project, subscriptionId(this.options.prefix, topic, subscription));
      return create && !mapped ? this.create(topic, path, settings) : this.describe(path);
    });
  }

  private async create(topic: string, path: string, settings: SubscriptionOptions): Promise<SubscriptionInfo> {
    const maxAttempts = Math.max(1, settings.maxAttempts ?? 5);
    const lockMs = Math.max(1_000, settings.lockMs ?? 30_000);
    const topicName = await this.options.topicPath(topic, true);
    const { project, id } = parsePath(path);
    const deadLetterTopic = topicPath(project, deadLetterId(id));
    const deadLetterSubscription = subscriptionPath(project, deadLetterId(id));
    const publisher = await this.options.publisher();
    const subscriber = await this.options.subscriber();

    await ignoreExisting(publisher.createTopic({ name: deadLetterTopic }));
    await ignoreExisting(
      subscriber.createSubscription({
        name: deadLetterSubscription,
        topic: deadLetterTopic,
        ackDeadlineSeconds: 60,
        messageRetentionDuration: { seconds: 7 * 24 * 3600 },
      }),
    );
    await ignoreExisting(
      subscriber.createSubscription({
        name: path,
        topic: topicName,
        ackDeadlineSeconds: clamp(Math.ceil(lockMs / 1_000), ACK_DEADLINE),
        enableMessageOrdering: settings.ordered ?? false,
        deadLetterPolicy: {
          deadLetterTopic,
          maxDeliveryAttempts: clamp(maxAttempts, DELIVERY_ATTEMPTS),
        },
        labels: { [LOCK_LABEL]: String(lockMs), [ATTEMPTS_LABEL]: String(maxAttempts) },
      }),
    );
    // An existing subscription keeps its settings: read them back rather than assume ours.
    return this.describe(path);
  }

  private async describe(path: string): Promise<SubscriptionInfo> {
    const subscriber = await this.options.subscriber();
    const [subscription] = await subscriber.getSubscription({ subscription: path });
    const labels = subscription.labels ?? {};
    const ackDeadlineSeconds = subscription.ackDeadlineSeconds ?? ACK_DEADLINE.min;
    const lockMs = Number(labels[LOCK_LABEL] ?? ackDeadlineSeconds * 1_000);
    const deadLetterTopic = subscription.deadLetterPolicy?.deadLetterTopic ?? undefined;
    let deadLetterSubscription: string | undefined;
    if (deadLetterTopic) {
      const { project, id } = parsePath(deadLetterTopic);
      deadLetterSubscription = subscriptionPath(project, id);
    }
    return {
      path,
      deadLetterTopic,
      deadLetterSubscription,
      maxAttempts: Number(labels[ATTEMPTS_LABEL] ?? subscription.deadLetterPolicy?.maxDeliveryAttempts ?? 5),
      lockSeconds: Math.max(1, Math.ceil(lockMs / 1_000)),
      ackDeadlineSeconds,
      ordered: subscription.enableMessageOrdering ?? false,
    };
  }
}

/** Runs a create call; an ALREADY_EXISTS answer means someone else created it, which is fine. */
async function ignoreExisting<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (grpcCode(error) === GRPC.ALREADY_EXISTS) return undefined;
    throw error;
  }
}
