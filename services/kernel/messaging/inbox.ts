import type { BrokerCapabilities } from "../../../adapters/core/capabilities.js";
import type { Message } from "../../../adapters/core/message.js";
import type {
  IMessageBroker,
  MessageHandler,
  SubscribeOptions,
  Subscription,
} from "../../../adapters/core/message-broker.js";
import { type SubscriptionDeclaration, type SubscriptionName, subscriptionByName } from "../../platform.js";
import type { Database, Queryable } from "../db/database.js";
import { withMessageSpan } from "../observability/tracing.js";

/**
 * The inbox: a consumer records the message id in the same transaction as its effect. A
 * redelivered (or duplicated) message finds its id already there and changes nothing, so
 * every message has its effect once even though delivery is at least once.
 */
export type InboxEffect<T> = (tx: Queryable, message: Message<T>) => Promise<void>;

/** Runs `effect` unless `subscription` already processed this message id; true when it ran. */
export async function handleOnce<T>(
  db: Database,
  subscription: string,
  message: Message<T>,
  effect: InboxEffect<T>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query(
      "INSERT INTO inbox (subscription, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id",
      [subscription, message.id],
    );
    if (claimed.length === 0) return false;
    await effect(tx, message);
    return true;
  });
}

/** A broker handler that continues the message's trace and applies `effect` through the inbox. */
export function inboxHandler<T>(db: Database, subscription: string, effect: InboxEffect<T>): MessageHandler<T> {
  return (message) =>
    withMessageSpan(`consume ${subscription}`, message.headers, async (span) => {
      span.setAttribute("messaging.message.id", message.id);
      const applied = await handleOnce(db, subscription, message, effect);
      span.setAttribute("taskflow.inbox.duplicate", !applied);
    });
}

export interface InboxSubscriptionOptions<T> {
  readonly db: Database;
  readonly broker: IMessageBroker;
  /** A subscription declared in platform.ts; its topic, ordering, lock and attempts come from there. */
  readonly subscription: SubscriptionName;
  readonly effect: InboxEffect<T>;
  /** Logical → physical names (BROKER_TOPICS / BROKER_SUBSCRIPTIONS); identity by default. */
  readonly resolveTopic?: (topic: string) => string;
  readonly resolveSubscription?: (subscription: string) => string;
  readonly maxConcurrency?: number;
}

/** What a service hands its consumer: everything but the subscription and the effect it applies. */
export type InboxConsumerDeps = Omit<InboxSubscriptionOptions<unknown>, "subscription" | "effect">;

/**
 * The subscribe options a declared subscription asks for, limited to what the broker declares:
 * adapters refuse an undeclared feature, and the same platform.ts runs on every broker. Without
 * `ordering` the declaration's order is not guaranteed (the inbox still makes each effect
 * happen once); without `visibilityTimeout` the broker's own redelivery rules apply.
 */
export function declaredSubscribeOptions(
  declared: SubscriptionDeclaration,
  capabilities: BrokerCapabilities,
): SubscribeOptions {
  return {
    maxAttempts: declared.maxAttempts,
    ...(declared.ordered && capabilities.ordering ? { ordered: true } : {}),
    ...(capabilities.visibilityTimeout ? { lockMs: declared.lockMs } : {}),
  };
}

/** Subscribes a platform-declared subscription with an inbox-backed handler. */
export function subscribeWithInbox<T>(options: InboxSubscriptionOptions<T>): Promise<Subscription> {
  const declared = subscriptionByName(options.subscription);
  const topic = options.resolveTopic?.(declared.topic) ?? declared.topic;
  const name = options.resolveSubscription?.(declared.name) ?? declared.name;
  return options.broker.subscribe<T>(topic, name, inboxHandler(options.db, declared.name, options.effect), {
    ...declaredSubscribeOptions(declared, options.broker.capabilities),
    ...(options.maxConcurrency ? { maxConcurrency: options.maxConcurrency } : {}),
  });
}
