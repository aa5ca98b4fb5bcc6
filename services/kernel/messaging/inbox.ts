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

/** Most messages one inbox transaction takes. */
const INBOX_BATCH_LIMIT = 100;

interface Waiting<T> {
  readonly message: Message<T>;
  resolve(applied: boolean): void;
  reject(error: unknown): void;
}

/**
 * Applies a batch in one transaction: one statement claims every id, then the claimed
 * messages' effects run in the order they arrived. Returns whether each message was applied.
 */
async function applyBatch<T>(
  db: Database,
  subscription: string,
  batch: readonly Message<T>[],
  effect: InboxEffect<T>,
): Promise<boolean[]> {
  return db.transaction(async (tx) => {
    const claimed = await tx.query<{ message_id: string }>(
      `INSERT INTO inbox (subscription, message_id) SELECT $1, unnest($2::text[])
        ON CONFLICT DO NOTHING RETURNING message_id`,
      [subscription, batch.map((message) => message.id)],
    );
    const unclaimed = new Set(claimed.map((row) => row.message_id));
    const applied: boolean[] = [];
    for (const message of batch) {
      // A message delivered twice within one batch is claimed once and applied once.
      const mine = unclaimed.delete(message.id);
      if (mine) await effect(tx, message);
      applied.push(mine);
    }
    return applied;
  });
}

/**
 * `handleOnce` for messages delivered concurrently: the messages that arrive while one inbox
 * transaction runs wait and then share the next one, so a busy consumer pays one transaction
 * for many messages and an idle one adds no wait. Each caller's promise settles once its
 * message's transaction has committed, so the broker acknowledges only what is stored. If a
 * shared transaction fails, each of its messages is retried in a transaction of its own, so
 * one message's failure never fails the others. Per-key order is the broker's: an ordered
 * subscription never delivers a key's next message before the previous one is acknowledged.
 */
export function createInboxBatcher<T>(
  db: Database,
  subscription: string,
  effect: InboxEffect<T>,
): (message: Message<T>) => Promise<boolean> {
  const waiting: Waiting<T>[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, INBOX_BATCH_LIMIT);
      const messages = batch.map((entry) => entry.message);
      let applied: boolean[] | undefined;
      if (batch.length > 1) applied = await applyBatch(db, subscription, messages, effect).catch(() => undefined);
      if (applied) {
        for (const [index, entry] of batch.entries()) entry.resolve(applied[index]!);
        continue;
      }
      for (const entry of batch) {
        await handleOnce(db, subscription, entry.message, effect).then(entry.resolve, entry.reject);
      }
    }
    running = false;
  }

  return (message) =>
    new Promise<boolean>((resolve, reject) => {
      waiting.push({ message, resolve, reject });
      if (!running) void drain();
    });
}

/** A broker handler that continues the message's trace and applies `effect` through the inbox. */
export function inboxHandler<T>(db: Database, subscription: string, effect: InboxEffect<T>): MessageHandler<T> {
  const once = createInboxBatcher(db, subscription, effect);
  return (message) =>
    withMessageSpan(`consume ${subscription}`, message.headers, async (span) => {
      span.setAttribute("messaging.message.id", message.id);
      const applied = await once(message);
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
