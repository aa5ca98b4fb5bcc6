import type { v1 } from "@google-cloud/pubsub";
import { retryDelayMs } from "../core/backoff.js";
import type { Message } from "../core/message.js";
import type { MessageHandler, Subscription } from "../core/message-broker.js";
import { describeError, type PullConsumerOptions, PullLoop } from "../core/pull-loop.js";
import { AckBatcher } from "./ack-batcher.js";
import { type Decoded, decodeMessage } from "./envelope.js";
import { GRPC, grpcCode } from "./provider-errors.js";

/** A subscription as the consumer needs it, whether derived or handed over by the stacks. */
export interface SubscriptionInfo {
  /** `projects/<p>/subscriptions/<id>` */
  readonly path: string;
  readonly deadLetterTopic: string | undefined;
  readonly deadLetterSubscription: string | undefined;
  /** Attempts before the adapter dead-letters; may be below Pub/Sub's minimum of 5. */
  readonly maxAttempts: number;
  /** Lock of one delivery in whole seconds; may be below Pub/Sub's minimum ack deadline of 10. */
  readonly lockSeconds: number;
  /** The subscription's own ack deadline, which a fresh delivery starts with. */
  readonly ackDeadlineSeconds: number;
  readonly ordered: boolean;
}

/** One pulled message, as the v1 client returns it. */
export interface PulledMessage {
  ackId?: string | null;
  deliveryAttempt?: number | null;
  message?: {
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    messageId?: string | null;
    orderingKey?: string | null;
    publishTime?: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null;
  } | null;
}

/** Settled: acked or dead-lettered; otherwise Pub/Sub delivers it again. */
type Outcome = { readonly settled: boolean };
const SETTLED: Outcome = { settled: true };

export interface ConsumerSettings extends PullConsumerOptions {
  readonly pullTimeoutMs: number;
  /** Publishes a dead letter to the subscription's dead-letter topic. */
  readonly deadLetter: (
    info: SubscriptionInfo,
    message: Decoded,
    original: PulledMessage,
    reason: string,
    attempts: number,
  ) => Promise<void>;
}

/**
 * One consumer of a Pub/Sub subscription by unary pull, so each delivery is under the
 * adapter's control: pulls while slots are free (flow control = `maxConcurrency`), extends
 * the ack deadline while a handler runs (modifyAckDeadline heartbeat), acks on success,
 * sets the deadline to the backoff delay on failure, and dead-letters itself on
 * `deadLetter()` or after `maxAttempts`. The subscription's own dead-letter policy (which
 * Pub/Sub allows only from 5 attempts) stays as the net for a consumer that dies.
 */
export class PubSubConsumer implements Subscription {
  private readonly loop: PullLoop<PulledMessage>;
  private readonly acks: AckBatcher;
  /** Deliveries seen here per message id, for subscriptions that report no delivery attempt. */
  private readonly seen = new Map<string, number>();
  /** Per ordering key: the last delivery queued, which the next one waits for. */
  private readonly keys = new Map<string, Promise<void>>();

  constructor(
    private readonly client: v1.SubscriberClient,
    readonly topic: string,
    readonly name: string,
    private readonly info: SubscriptionInfo,
    private readonly handler: MessageHandler<unknown>,
    private readonly settings: ConsumerSettings,
    onClosed: (consumer: PubSubConsumer) => void,
  ) {
    this.acks = new AckBatcher(client, info.path);
    this.loop = new PullLoop<PulledMessage>({
      component: "gcp-pubsub",
      maxConcurrency: settings.maxConcurrency,
      pollers: Math.max(1, Math.min(4, Math.ceil(settings.maxConcurrency / 25))),
      maxPerReceive: 100,
      receive: (count) => this.pull(count),
      receiveFailure: `cannot pull from subscription "${name}"`,
      dispatch: (messages) => this.dispatch(messages),
      giveBack: (messages) => this.modify(messages, 0),
      afterStop: async () => {
        await this.acks.drain();
        onClosed(this);
      },
      onError: settings.onError,
    });
  }

  start(): void {
    this.loop.start();
  }

  /**
   * A pull in progress is let finish (at most `pullTimeoutMs`) and what it brings is
   * returned at once: cancelling it would leave those messages leased for a whole ack deadline.
   */
  close(): Promise<void> {
    return this.loop.close();
  }

  /** A pull that ends without messages (deadline passed, cancelled on close) is an empty pull. */
  private async pull(count: number): Promise<PulledMessage[]> {
    try {
      const [response] = await this.client.pull(
        { subscription: this.info.path, maxMessages: count },
        { timeout: this.settings.pullTimeoutMs },
      );
      return (response.receivedMessages ?? []) as PulledMessage[];
    } catch (error) {
      const code = grpcCode(error);
      if (code === GRPC.DEADLINE_EXCEEDED || code === GRPC.CANCELLED) return [];
      throw error;
    }
  }

  /**
   * On an ordered subscription, messages of one key run one after another, across pulls,
   * and a failed one is retried here, in place (see `handle`), so nothing of its key
   * overtakes it. Waiting messages keep their lease meanwhile.
   */
  private dispatch(messages: PulledMessage[]): void {
    for (const message of messages) {
      const key = message.message?.orderingKey;
      if (!this.info.ordered || !key) {
        this.loop.track(this.handle(message));
        continue;
      }
      const waiting = this.keepLease(message, this.info.ackDeadlineSeconds);
      const previous = this.keys.get(key) ?? Promise.resolve();
      const run = previous.then(async () => {
        clearInterval(waiting);
        if (this.loop.closed) await this.modify([message], 0);
        else await this.handle(message);
      });
      const tail = run.catch(() => undefined);
      this.keys.set(key, tail);
      this.loop.track(
        run.finally(() => {
          clearInterval(waiting);
          if (this.keys.get(key) === tail) this.keys.delete(key);
        }),
      );
    }
  }

  /** Extends the message's ack deadline every half deadline until the timer is cleared. */
  private keepLease(pulled: PulledMessage, seconds: number, onLost?: (error: unknown) => void): NodeJS.Timeout {
    return setInterval(
      () => {
        this.client
          .modifyAckDeadline({
            subscription: this.info.path,
            ackIds: [pulled.ackId ?? ""],
            ackDeadlineSeconds: seconds,
          })
          .catch((error: unknown) => onLost?.(error));
      },
      (seconds * 1_000) / 2,
    );
  }

  /**
   * Runs the handler on one message and settles it. A failure on an ordered key is retried
   * here after the backoff delay, keeping the lease, because Pub/Sub (and its emulator) may
   * already have handed out the key's next message; elsewhere the message goes back to
   * Pub/Sub with its ack deadline set to the delay.
   */
  private async handle(pulled: PulledMessage): Promise<Outcome> {
    const raw = pulled.message ?? {};
    const messageId = raw.messageId ?? "";
    let decoded: Decoded;
    try {
      decoded = decodeMessage(raw.data, raw.attributes ?? {});
    } catch (error) {
      await this.deadLetter(
        pulled,
        undecodable(raw),
        `data is not JSON: ${describeError(error)}`,
        this.attemptOf(pulled, messageId),
      );
      return SETTLED;
    }
    const retryInPlace = this.info.ordered && !!raw.orderingKey;
    let attempt = this.attemptOf(pulled, messageId);

    // A lock shorter than the subscription's ack deadline holds from the first moment of the
    // delivery, renewed or not: a consumer that dies before its first heartbeat must not keep
    // the message for the whole subscription deadline.
    if (this.info.lockSeconds < this.info.ackDeadlineSeconds) {
      await this.modify([pulled], this.info.lockSeconds);
    }
    const delivery = new AbortController();
    let lockLost = false;
    const heartbeat = this.settings.renewLock
      ? this.keepLease(pulled, this.info.lockSeconds, (error) => {
          lockLost = true;
          delivery.abort(error);
          this.settings.onError(this.loop.error(`lost the lease on message "${decoded.id ?? messageId}"`, error));
        })
      : undefined;
    try {
      for (;;) {
        const message: Message<unknown> = {
          id: decoded.id ?? messageId,
          topic: this.topic,
          key: raw.orderingKey || undefined,
          headers: decoded.headers,
          body: decoded.body,
          attempt,
          publishedAt: publishTime(raw.publishTime) ?? new Date(),
        };
        const { reason, failed, failure } = await this.loop.runHandler(this.handler, message, delivery);
        if (lockLost) return { settled: false };
        if (reason !== undefined) {
          await this.deadLetter(pulled, decoded, reason, attempt);
          return SETTLED;
        }
        if (!failed) {
          this.seen.delete(messageId);
          this.ack(pulled);
          return SETTLED;
        }
        if (attempt >= this.info.maxAttempts) {
          const why = `failed on attempt ${attempt} of ${this.info.maxAttempts}: ${describeError(failure)}`;
          await this.deadLetter(pulled, decoded, why, attempt);
          return SETTLED;
        }
        const delayMs = retryDelayMs(attempt, this.settings.backoff);
        if (retryInPlace && !this.loop.closed) {
          await this.loop.sleep(delayMs);
          if (!this.loop.closed) {
            attempt++;
            this.seen.set(messageId, attempt);
            continue;
          }
        }
        // Ack deadlines are whole seconds: round up, so a retry never comes sooner than asked.
        await this.modify([pulled], Math.min(600, Math.ceil(delayMs / 1_000)));
        return { settled: false };
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Acks in the background, batched with other acks: the slot is free for the next message
   * at once, and `close()` waits for every ack. A lost ack means the message is delivered
   * again, which consumers absorb by message id.
   */
  private ack(pulled: PulledMessage): void {
    this.acks.ack(pulled.ackId ?? "").catch((error: unknown) => {
      this.settings.onError(this.loop.error("cannot ack a message; it will be delivered again", error));
    });
  }

  /** Pub/Sub's count where the subscription has a dead-letter policy, else this consumer's own. */
  private attemptOf(pulled: PulledMessage, messageId: string): number {
    if (pulled.deliveryAttempt && pulled.deliveryAttempt > 0) return pulled.deliveryAttempt;
    const count = (this.seen.get(messageId) ?? 0) + 1;
    this.seen.set(messageId, count);
    return count;
  }

  private async deadLetter(pulled: PulledMessage, decoded: Decoded, reason: string, attempts: number): Promise<void> {
    if (!this.info.deadLetterTopic) {
      this.settings.onError(
        this.loop.error(`subscription "${this.name}" has no dead-letter topic; message returned`, reason),
      );
      await this.modify([pulled], this.info.lockSeconds);
      return;
    }
    await this.settings.deadLetter(this.info, decoded, pulled, reason, attempts);
    this.seen.delete(pulled.message?.messageId ?? "");
    await this.acks.ack(pulled.ackId ?? "");
  }

  private async modify(messages: PulledMessage[], seconds: number): Promise<void> {
    const ackIds = messages.map((message) => message.ackId ?? "").filter((id) => id !== "");
    if (ackIds.length === 0) return;
    try {
      await this.client.modifyAckDeadline({ subscription: this.info.path, ackIds, ackDeadlineSeconds: seconds });
    } catch (error) {
      // The messages come back when their ack deadline runs out anyway.
      this.settings.onError(this.loop.error("cannot change an ack deadline", error));
    }
  }
}

function undecodable(raw: NonNullable<PulledMessage["message"]>): Decoded {
  const attributes = raw.attributes ?? {};
  return {
    id: attributes["tf-id"] ?? raw.messageId ?? undefined,
    key: raw.orderingKey || undefined,
    publishedAt: publishTime(raw.publishTime),
    reason: undefined,
    attempts: undefined,
    headers: {},
    body: Buffer.from(raw.data ?? "").toString("utf8"),
  };
}

export function publishTime(time: NonNullable<PulledMessage["message"]>["publishTime"]): Date | undefined {
  if (!time?.seconds) return undefined;
  return new Date(Number(String(time.seconds)) * 1_000 + Math.floor((time.nanos ?? 0) / 1e6));
}
