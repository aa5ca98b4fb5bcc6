import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  type Message as SqsMessage,
} from "@aws-sdk/client-sqs";
import { retryDelayMs } from "../core/backoff.js";
import type { Message } from "../core/message.js";
import type { MessageHandler, Subscription } from "../core/message-broker.js";
import { describeError, type PullConsumerOptions, PullLoop } from "../core/pull-loop.js";
import { DeleteBatcher } from "./delete-batcher.js";
import { type DecodedEnvelope, decodeAttributes, encodeAttributes } from "./envelope.js";
import { deduplicationId, messageGroupId } from "./fifo.js";

/** A subscription queue as the consumer needs it, whether derived or handed over by the stacks. */
export interface QueueInfo {
  readonly url: string;
  readonly deadLetterUrl: string | undefined;
  readonly maxAttempts: number;
  /** Visibility time of one delivery, whole seconds as SQS counts it. */
  readonly lockSeconds: number;
  readonly fifo: boolean;
}

export interface ConsumerSettings extends PullConsumerOptions {
  readonly waitTimeSeconds: number;
}

/**
 * One consumer of an SQS queue: long-polls in batches of up to 10 while slots are free,
 * keeps each message invisible while its handler runs (ChangeMessageVisibility heartbeat),
 * deletes on ack, hides a nacked message for its backoff delay, and moves a message to the
 * dead-letter queue itself (with the reason) on `deadLetter()` or after the last attempt.
 * The queue's redrive policy remains the safety net for a consumer that dies mid-handler.
 */
export class SqsConsumer implements Subscription {
  private readonly loop: PullLoop<SqsMessage>;
  private readonly deletes: DeleteBatcher;

  constructor(
    private readonly sqs: SQSClient,
    readonly topic: string,
    readonly name: string,
    private readonly queue: QueueInfo,
    private readonly handler: MessageHandler<unknown>,
    private readonly settings: ConsumerSettings,
    onClosed: (consumer: SqsConsumer) => void,
  ) {
    this.deletes = new DeleteBatcher(sqs, queue.url);
    this.loop = new PullLoop<SqsMessage>({
      component: "aws-sns-sqs",
      maxConcurrency: settings.maxConcurrency,
      pollers: Math.max(1, Math.min(10, Math.ceil(settings.maxConcurrency / 10))),
      maxPerReceive: 10,
      receive: (count) => this.receive(count),
      receiveFailure: `cannot receive from subscription "${name}"`,
      dispatch: (messages) => this.dispatch(messages),
      giveBack: async (messages) => {
        await Promise.allSettled(messages.map((message) => this.release(message, 0)));
      },
      afterStop: async () => {
        await this.deletes.drain();
        onClosed(this);
      },
      onError: settings.onError,
    });
  }

  start(): void {
    this.loop.start();
  }

  /**
   * A receive in progress is let finish (at most `waitTimeSeconds`) and what it brings is
   * made visible again at once: cancelling it would leave those messages hidden for a whole
   * visibility timeout.
   */
  close(): Promise<void> {
    return this.loop.close();
  }

  private async receive(count: number): Promise<SqsMessage[]> {
    const result = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queue.url,
        MaxNumberOfMessages: count,
        WaitTimeSeconds: this.settings.waitTimeSeconds,
        VisibilityTimeout: this.queue.lockSeconds,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId"],
      }),
    );
    return result.Messages ?? [];
  }

  /**
   * Messages of one FIFO group run one after another, in the order received; others in
   * parallel. When one is retried, the rest of its group in this batch go back too, so the
   * retried message is still the first of its group to be delivered again.
   */
  private dispatch(messages: SqsMessage[]): void {
    if (!this.queue.fifo) {
      for (const message of messages) this.loop.track(this.handle(message));
      return;
    }
    const groups = new Map<string, SqsMessage[]>();
    for (const message of messages) {
      const group = message.Attributes?.MessageGroupId ?? message.MessageId ?? "";
      groups.set(group, [...(groups.get(group) ?? []), message]);
    }
    for (const group of groups.values()) {
      // Each message holds a slot until its turn has come and gone.
      let chain: Promise<boolean> = Promise.resolve(true);
      for (const message of group) {
        chain = chain.then(async (previousOk) => {
          if (previousOk && !this.loop.closed) return this.handle(message);
          // An earlier message of the group was not acked: returning this one keeps the order.
          await this.release(message, 0);
          return false;
        });
        this.loop.track(chain.then(() => undefined));
      }
    }
  }

  /** Runs the handler on one message and settles it; true when it left the queue (acked or dead-lettered). */
  private async handle(raw: SqsMessage): Promise<boolean> {
    const envelope = decodeAttributes(raw.MessageAttributes);
    const attempt = Number(raw.Attributes?.ApproximateReceiveCount ?? "1");
    let body: unknown;
    try {
      body = JSON.parse(raw.Body ?? "null");
    } catch (error) {
      await this.deadLetter(raw, envelope, `body is not JSON: ${(error as Error).message}`, attempt);
      return true;
    }
    const message: Message<unknown> = {
      id: envelope.id ?? raw.MessageId ?? "",
      topic: this.topic,
      key: envelope.key,
      headers: envelope.headers,
      body,
      attempt,
      publishedAt: envelope.publishedAt ?? new Date(Number(raw.Attributes?.SentTimestamp ?? Date.now())),
    };

    const delivery = new AbortController();
    let lockLost = false;
    const heartbeat = this.settings.renewLock
      ? setInterval(
          () => {
            this.changeVisibility(raw, this.queue.lockSeconds).catch((error: unknown) => {
              lockLost = true;
              delivery.abort(error);
              this.settings.onError(this.loop.error(`lost the lock on message "${message.id}"`, error));
            });
          },
          (this.queue.lockSeconds * 1_000) / 2,
        )
      : undefined;

    const { reason, failed, failure } = await this.loop.runHandler(this.handler, message, delivery);
    clearInterval(heartbeat);
    // Another consumer may hold the message now; settling it here could undo their work.
    if (lockLost) return false;

    if (reason !== undefined) {
      await this.deadLetter(raw, envelope, reason, attempt);
      return true;
    }
    if (!failed) {
      this.ack(raw);
      return true;
    }
    if (attempt >= this.queue.maxAttempts) {
      const why = `failed on attempt ${attempt} of ${this.queue.maxAttempts}: ${describeError(failure)}`;
      await this.deadLetter(raw, envelope, why, attempt);
      return true;
    }
    // Visibility is set in whole seconds: round up, so a retry never comes sooner than asked.
    const delaySeconds = Math.ceil(retryDelayMs(attempt, this.settings.backoff) / 1_000);
    await this.release(raw, delaySeconds);
    return false;
  }

  private async deadLetter(
    raw: SqsMessage,
    envelope: DecodedEnvelope,
    reason: string,
    attempts: number,
  ): Promise<void> {
    if (!this.queue.deadLetterUrl) {
      this.settings.onError(
        this.loop.error(`subscription "${this.name}" has no dead-letter queue; message returned to the queue`, reason),
      );
      await this.release(raw, this.queue.lockSeconds);
      return;
    }
    const id = envelope.id ?? raw.MessageId ?? "";
    const attributes = encodeAttributes(
      { id, key: envelope.key, publishedAt: envelope.publishedAt ?? new Date(), reason, attempts },
      envelope.headers,
    );
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queue.deadLetterUrl,
        MessageBody: raw.Body ?? "null",
        MessageAttributes: attributes,
        ...(this.queue.fifo
          ? { MessageGroupId: messageGroupId(envelope.key, id), MessageDeduplicationId: deduplicationId(id) }
          : {}),
      }),
    );
    await this.deletes.delete(raw.ReceiptHandle ?? "");
  }

  /**
   * Deletes in the background, batched with other acks: the slot is free for the next
   * message at once, and `close()` waits for every delete. A delete that fails means the
   * message is delivered again, which consumers absorb by message id.
   */
  private ack(raw: SqsMessage): void {
    this.deletes.delete(raw.ReceiptHandle ?? "").catch((error: unknown) => {
      this.settings.onError(this.loop.error("cannot delete an acked message; it will be delivered again", error));
    });
  }

  private async release(raw: SqsMessage, seconds: number): Promise<void> {
    try {
      await this.changeVisibility(raw, seconds);
    } catch (error) {
      // The message comes back when its visibility times out anyway.
      this.settings.onError(this.loop.error("cannot return a message to the queue", error));
    }
  }

  private changeVisibility(raw: SqsMessage, seconds: number): Promise<unknown> {
    return this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queue.url,
        ReceiptHandle: raw.ReceiptHandle,
        VisibilityTimeout: Math.min(43_200, Math.max(0, seconds)),
      }),
    );
  }
}
