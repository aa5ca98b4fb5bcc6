import type { ServiceBusBrokerSettings } from "./config.js";

/** Where a subscription lives: the Service Bus topic and subscription names. */
export interface SubscriptionEntity {
  readonly topic: string;
  readonly subscription: string;
}

/** `<topic>/Subscriptions/<subscription>`, Service Bus's own entity path, as the stacks inject it. */
const ENTITY_PATH = /^([^/]+)\/Subscriptions\/([^/]+)$/i;

type Names = Pick<ServiceBusBrokerSettings, "topics" | "subscriptions">;

/** The Service Bus topic behind a logical topic: the mapped name, else the logical name itself. */
export function topicEntity(names: Names, topic: string): string {
  return names.topics[topic] ?? topic;
}

/**
 * The entity behind a logical subscription. A mapped entity path names its own topic, so a
 * service that only consumes a topic (and has no BROKER_TOPICS entry for it) still opens the
 * right one; a plain mapped name, or none, stays under the logical topic.
 */
export function subscriptionEntity(names: Names, topic: string, subscription: string): SubscriptionEntity {
  const mapped = names.subscriptions[subscription];
  const path = mapped === undefined ? null : ENTITY_PATH.exec(mapped);
  if (path) return { topic: path[1] as string, subscription: path[2] as string };
  return { topic: topicEntity(names, topic), subscription: mapped ?? subscription };
}

/**
 * Every entity path the adapter opens for its mapped names: a sender per topic, and per
 * subscription a receiver on it and one on its dead-letter sub-queue. A deployment's identity
 * needs Data Sender on the first and Data Receiver on the others (the sub-queue is covered by
 * the subscription's role).
 */
export function openedEntities(names: Names): { readonly send: string[]; readonly receive: string[] } {
  const receive = Object.keys(names.subscriptions).flatMap((logical) => {
    const entity = subscriptionEntity(names, "", logical);
    const path = `${entity.topic}/Subscriptions/${entity.subscription}`;
    return [path, `${path}/$DeadLetterQueue`];
  });
  return { send: Object.values(names.topics), receive };
}
