import type { ICache } from "../../adapters/core/index.js";
import type { Message } from "../../adapters/core/message.js";
import type { IMessageBroker, MessageHandler, Subscription } from "../../adapters/core/message-broker.js";
import type { EventMessage } from "../kernel/event-log.js";
import { declaredSubscribeOptions } from "../kernel/messaging/inbox.js";
import { withMessageSpan } from "../kernel/observability/tracing.js";
import { subscriptionByName } from "../platform.js";
import { createApiKeyTokens } from "./api-key-tokens.js";

/**
 * The gateway's `identity-events` consumer (subscription `gateway-identity-events`): on
 * `api-key-revoked` it drops the token cached for that key, so the key's next request is
 * exchanged again and refused. Other identity events are acknowledged without effect.
 *
 * There is no inbox here, and no database: the cache is shared by every gateway instance
 * (Redis in the cloud), so one consumer marking the key revoked is enough for all of them,
 * and marking it again for a redelivered or duplicated message changes nothing.
 */
export const GATEWAY_SUBSCRIPTION = "gateway-identity-events";

/** The event identity publishes when a key is revoked (`identity/domain/api-key.ts`). */
const API_KEY_REVOKED = "api-key-revoked";

export interface RevocationConsumerDeps {
  readonly broker: IMessageBroker;
  /** The cache the gateway's caller resolver uses. */
  readonly cache: ICache;
  /** Logical → physical names (BROKER_TOPICS / BROKER_SUBSCRIPTIONS); identity by default. */
  readonly resolveTopic?: (topic: string) => string;
  readonly resolveSubscription?: (subscription: string) => string;
}

export function revocationHandler(cache: ICache): MessageHandler<EventMessage> {
  const tokens = createApiKeyTokens(cache);
  return (message: Message<EventMessage>) =>
    withMessageSpan(`consume ${GATEWAY_SUBSCRIPTION}`, message.headers, async (span) => {
      span.setAttribute("messaging.message.id", message.id);
      const event = message.body;
      if (event.type !== API_KEY_REVOKED || typeof event.data.keyId !== "string") return;
      const degradedBefore = cache.stats.degraded;
      await tokens.revoke(event.data.keyId);
      // A cache that is down answers a no-op in degrade mode; throwing has the broker redeliver
      // with backoff until the mark is really written.
      if (cache.stats.degraded > degradedBefore) throw new Error("the cache did not take the revocation");
    });
}

export function startRevocationConsumer(deps: RevocationConsumerDeps): Promise<Subscription> {
  const declared = subscriptionByName(GATEWAY_SUBSCRIPTION);
  const topic = deps.resolveTopic?.(declared.topic) ?? declared.topic;
  const name = deps.resolveSubscription?.(declared.name) ?? declared.name;
  return deps.broker.subscribe<EventMessage>(
    topic,
    name,
    revocationHandler(deps.cache),
    declaredSubscribeOptions(declared, deps.broker.capabilities),
  );
}
