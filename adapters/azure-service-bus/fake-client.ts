import type {
  SbAdminLike,
  SbClientLike,
  SbMessageBatchLike,
  SbOutgoingMessage,
  SbReceivedMessage,
  SbReceiverLike,
  SbReceiverOptions,
  SbSenderLike,
  SbSessionReceiverLike,
  SbSubscriptionSettings,
  SbTopicSettings,
} from "./client.js";

/**
 * An in-process stand-in for a Service Bus namespace behind the SDK, for the adapter's unit
 * tests: topics fanning out to subscriptions, peek-lock with lock expiry (unless renewal is
 * on), delivery counts and max delivery count, sessions, dead-letter sub-queues, duplicate
 * detection, scheduled messages and TTL, and size-limited batches. Errors carry the SDK's
 * `code`, as `ServiceBusError` does.
 */

export function serviceBusError(code: string, message = code): Error {
  return Object.assign(new Error(message), { name: "ServiceBusError", code });
}

interface Stored {
  readonly message: SbOutgoingMessage;
  readonly enqueuedAt: number;
  readonly visibleAt: number;
  readonly expiresAt: number;
  deliveryCount: number;
  lockedUntil?: number;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

interface FakeSubscription {
  readonly settings: SbSubscriptionSettings;
  lockMs: number;
  active: Stored[];
  deadLetters: Stored[];
  lockedSessions: Set<string>;
}

interface FakeTopic {
  readonly settings: SbTopicSettings;
  readonly ids: Set<string>;
  readonly subscriptions: Map<string, FakeSubscription>;
}

export function messageBytes(message: SbOutgoingMessage): number {
  let size = message.body.length;
  for (const [name, value] of Object.entries(message.applicationProperties)) size += name.length + value.length;
  return size;
}

export class FakeServiceBus implements SbClientLike, SbAdminLike {
  readonly topics = new Map<string, FakeTopic>();
  readonly sends: { topic: string; messages: SbOutgoingMessage[] }[] = [];
  readonly receiverOptions: SbReceiverOptions[] = [];
  readonly sessionOptions: { maxAutoLockRenewalDurationInMs: number }[] = [];
  readonly adminCalls: string[] = [];
  /** Size of a message batch, like the link's max message size. */
  batchMaxBytes = 262_144;
  failSend?: (topic: string, messages: SbOutgoingMessage[]) => void;
  closed = false;
  private readonly stored = new WeakMap<SbReceivedMessage, Stored>();

  // --- admin ---

  async topicExists(topic: string): Promise<boolean> {
    this.adminCalls.push(`topicExists ${topic}`);
    return this.topics.has(topic);
  }

  async createTopic(topic: string, settings: SbTopicSettings): Promise<unknown> {
    this.adminCalls.push(`createTopic ${topic}`);
    if (this.topics.has(topic)) throw serviceBusError("MessagingEntityAlreadyExists");
    this.topics.set(topic, { settings, ids: new Set(), subscriptions: new Map() });
    return {};
  }

  async subscriptionExists(topic: string, subscription: string): Promise<boolean> {
    this.adminCalls.push(`subscriptionExists ${topic}/${subscription}`);
    return this.topics.get(topic)?.subscriptions.has(subscription) ?? false;
  }

  async createSubscription(topic: string, subscription: string, settings: SbSubscriptionSettings): Promise<unknown> {
    this.adminCalls.push(`createSubscription ${topic}/${subscription}`);
    const entity = this.topics.get(topic);
    if (!entity) throw serviceBusError("MessagingEntityNotFound");
    const seconds = Number(/^PT(\d+)S$/.exec(settings.lockDuration)?.[1] ?? 60);
    entity.subscriptions.set(subscription, {
      settings,
      lockMs: seconds * 1000,
      active: [],
      deadLetters: [],
      lockedSessions: new Set(),
    });
    return {};
  }

  async getNamespaceProperties(): Promise<unknown> {
    return { name: "fake" };
  }

  // --- client ---

  createSender(topic: string): SbSenderLike {
    return {
      createMessageBatch: async () => new FakeBatch(this.batchMaxBytes),
      sendMessages: async (input) => {
        const messages =
          input instanceof FakeBatch ? input.messages : Array.isArray(input) ? input : [input as SbOutgoingMessage];
        this.failSend?.(topic, messages);
        const entity = this.topics.get(topic);
        if (!entity)
          throw serviceBusError("MessagingEntityNotFound", `The messaging entity '${topic}' could not be found`);
        this.sends.push({ topic, messages });
        const now = Date.now();
        for (const message of messages) {
          if (entity.settings.requiresDuplicateDetection && entity.ids.has(message.messageId)) continue;
          entity.ids.add(message.messageId);
          for (const subscription of entity.subscriptions.values()) {
            subscription.active.push({
              message,
              enqueuedAt: now,
              visibleAt: message.scheduledEnqueueTimeUtc?.getTime() ?? now,
              expiresAt: message.timeToLive === undefined ? Number.POSITIVE_INFINITY : now + message.timeToLive,
              deliveryCount: 0,
            });
          }
        }
      },
      close: async () => {},
    };
  }

  createReceiver(topic: string, subscription: string, options: SbReceiverOptions): SbReceiverLike {
    this.receiverOptions.push(options);
    return this.receiver(
      topic,
      subscription,
      options.maxAutoLockRenewalDurationInMs > 0,
      options.subQueueType === "deadLetter",
    );
  }

  async acceptNextSession(
    topic: string,
    subscription: string,
    options: { maxAutoLockRenewalDurationInMs: number },
  ): Promise<SbSessionReceiverLike> {
    this.sessionOptions.push(options);
    const until = Date.now() + 50;
    while (Date.now() < until) {
      const entity = this.subscription(topic, subscription);
      const now = Date.now();
      const free = entity.active.find(
        (stored) =>
          stored.visibleAt <= now &&
          stored.message.sessionId !== undefined &&
          !entity.lockedSessions.has(stored.message.sessionId),
      );
      if (free?.message.sessionId !== undefined) {
        const sessionId = free.message.sessionId;
        entity.lockedSessions.add(sessionId);
        const inner = this.receiver(topic, subscription, options.maxAutoLockRenewalDurationInMs > 0, false, sessionId);
        return {
          ...inner,
          sessionId,
          close: async () => {
            entity.lockedSessions.delete(sessionId);
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw serviceBusError("ServiceTimeout", "no session available");
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  subscription(topic: string, subscription: string): FakeSubscription {
    const entity = this.topics.get(topic)?.subscriptions.get(subscription);
    if (!entity) throw serviceBusError("MessagingEntityNotFound", `'${topic}/${subscription}' could not be found`);
    return entity;
  }

  private receiver(
    topic: string,
    subscription: string,
    renewing: boolean,
    deadLetter: boolean,
    sessionId?: string,
  ): SbReceiverLike {
    const take = (max: number): SbReceivedMessage[] => {
      const entity = this.subscription(topic, subscription);
      const now = Date.now();
      const queue = deadLetter ? entity.deadLetters : entity.active;
      const taken: SbReceivedMessage[] = [];
      for (const stored of [...queue]) {
        if (taken.length >= max) break;
        if (stored.expiresAt <= now && !deadLetter) {
          queue.splice(queue.indexOf(stored), 1);
          continue;
        }
        if (stored.visibleAt > now) continue;
        if (sessionId !== undefined && stored.message.sessionId !== sessionId) continue;
        if (sessionId === undefined && entity.settings.requiresSession && !deadLetter) continue;
        if (stored.lockedUntil !== undefined) {
          if (stored.lockedUntil > now) continue;
          // The lock ran out: the message is back, one delivery later.
          stored.deliveryCount++;
          stored.lockedUntil = undefined;
          if (this.exhausted(entity, stored)) continue;
        }
        stored.lockedUntil = renewing ? Number.POSITIVE_INFINITY : now + entity.lockMs;
        const received: SbReceivedMessage = {
          messageId: stored.message.messageId,
          body: stored.message.body,
          applicationProperties: { ...stored.message.applicationProperties },
          sessionId: stored.message.sessionId,
          deliveryCount: stored.deliveryCount,
          enqueuedTimeUtc: new Date(stored.enqueuedAt),
          lockedUntilUtc: new Date(renewing ? now + entity.lockMs : stored.lockedUntil),
          deadLetterReason: stored.deadLetterReason,
          deadLetterErrorDescription: stored.deadLetterErrorDescription,
        };
        this.stored.set(received, stored);
        taken.push(received);
      }
      return taken;
    };
    const locked = (message: SbReceivedMessage): { entity: FakeSubscription; stored: Stored } => {
      const entity = this.subscription(topic, subscription);
      const stored = this.stored.get(message);
      if (!stored || stored.lockedUntil === undefined || stored.lockedUntil < Date.now()) {
        throw serviceBusError(sessionId === undefined ? "MessageLockLost" : "SessionLockLost");
      }
      return { entity, stored };
    };
    const remove = (entity: FakeSubscription, stored: Stored) => {
      const queue = deadLetter ? entity.deadLetters : entity.active;
      queue.splice(queue.indexOf(stored), 1);
    };
    return {
      receiveMessages: async (max, { maxWaitTimeInMs, abortSignal }) => {
        const until = Date.now() + maxWaitTimeInMs;
        for (;;) {
          const taken = take(max);
          if (taken.length > 0 || Date.now() >= until || abortSignal?.aborted) return taken;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      peekMessages: async (max) => {
        const entity = this.subscription(topic, subscription);
        return (deadLetter ? entity.deadLetters : entity.active).slice(0, max).map((s) => s.message);
      },
      completeMessage: async (message) => {
        const { entity, stored } = locked(message);
        remove(entity, stored);
      },
      abandonMessage: async (message) => {
        const { entity, stored } = locked(message);
        stored.lockedUntil = undefined;
        stored.deliveryCount++;
        this.exhausted(entity, stored);
      },
      deadLetterMessage: async (message, { deadLetterReason, deadLetterErrorDescription, ...properties }) => {
        const { entity, stored } = locked(message);
        remove(entity, stored);
        const moved: Stored = {
          ...stored,
          message: {
            ...stored.message,
            applicationProperties: { ...stored.message.applicationProperties, ...properties },
          },
          lockedUntil: undefined,
          deadLetterReason,
          deadLetterErrorDescription,
        };
        entity.deadLetters.push(moved);
      },
      close: async () => {},
    };
  }

  /** Service Bus's own backstop: past max delivery count, the message is dead-lettered. */
  private exhausted(entity: FakeSubscription, stored: Stored): boolean {
    if (stored.deliveryCount < entity.settings.maxDeliveryCount) return false;
    entity.active.splice(entity.active.indexOf(stored), 1);
    stored.deadLetterReason = "MaxDeliveryCountExceeded";
    entity.deadLetters.push(stored);
    return true;
  }
}

class FakeBatch implements SbMessageBatchLike {
  readonly messages: SbOutgoingMessage[] = [];
  sizeInBytes = 0;

  constructor(readonly maxSizeInBytes: number) {}

  get count(): number {
    return this.messages.length;
  }

  tryAddMessage(message: SbOutgoingMessage): boolean {
    const size = messageBytes(message);
    if (this.sizeInBytes + size > this.maxSizeInBytes) return false;
    this.messages.push(message);
    this.sizeInBytes += size;
    return true;
  }
}
