import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  type Message as SqsMessage,
} from "@aws-sdk/client-sqs";
import { retryDelayMs } from "../core/backoff.js";
import type { Message } from "../core/message.js";
import type { BackoffOptions, MessageHandler, Subscription } from "../core/message-broker.js";
import { type DecodedEnvelope, decodeAttributes, encodeAttributes } from "./attributes.js";
import { DeleteBatcher } from "./delete-batcher.js";
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

export interface ConsumerSettings {
  readonly maxConcurrency: number;
  readonly renewLock: boolean;
  readonly backoff: BackoffOptions | undefined;
  readonly waitTimeSeconds: number;
  readonly onError: (error: Error) => void;
}

/**
 * One consumer of an SQS queue: long-polls in batches of up to 10 while slots are free,
 * keeps each message invisible while its handler runs (ChangeMessageVisibility heartbeat),
 * deletes on ack, hides a nacked message for its backoff delay, and moves a message to the
 * dead-letter queue itself (with the reason) on `deadLetter()` or after the last attempt.
 * The queue's redrive policy remains the safety net for a consumer that dies mid-handler.
 */
export class SqsConsumer implements Subscription {
  private readonly abort = new AbortController();
  private readonly deletes: DeleteBatcher;
  private readonly running = new Set<Promise<void>>();
  private readonly slotWaiters: (() => void)[] = [];
  private pollers: Promise<void>[] = [];
  private reserved = 0;
  private closing: Promise<void> | undefined;
  /**
   * Free slots worth a receive while others are busy: a quarter of `maxConcurrency`, at most
   * a full batch of 10, so one slow handler never holds the rest back.
   */
  private readonly batchFloor: number;

  constructor(
    private readonly sqs: SQSClient,
    readonly topic: string,
    readonly name: string,
    private readonly queue: QueueInfo,
    private readonly handler: MessageHandler<unknown>,
    private readonly settings: ConsumerSettings,
    private readonly onClosed: (consumer: SqsConsumer) => void,
  ) {
    this.deletes = new DeleteBatcher(sqs, queue.url);
    this.batchFloor = Math.min(10, Math.max(1, Math.floor(settings.maxConcurrency / 4)));
  }

  start(): void {
    const count = Math.max(1, Math.min(10, Math.ceil(this.settings.maxConcurrency / 10)));
    this.pollers = Array.from({ length: count }, () => this.poll());
  }

  /**
   * A receive in progress is let finish (at most `waitTimeSeconds`) and what it brings is
   * made visible again at once: cancelling it would leave those messages hidden for a whole
   * visibility timeout.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      for (const wake of this.slotWaiters.splice(0)) wake();
      await Promise.allSettled(this.pollers);
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      await this.deletes.drain();
      this.onClosed(this);
    })();
    return this.closing;
  }

  private get closed(): boolean {
    return this.abort.signal.aborted;
  }

  private async poll(): Promise<void> {
    while (!this.closed) {
      const busy = this.running.size + this.reserved;
      const free = this.settings.maxConcurrency - busy;
      // Waiting for a few free slots makes fewer, fuller receives, which cost less on both ends.
      if (free <= 0 || (free < this.batchFloor && busy > 0)) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const count = Math.min(10, free);
      this.reserved += count;
      let messages: SqsMessage[] = [];
      try {
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
        messages = result.Messages ?? [];
      } catch (error) {
        if (!this.closed) {
          this.settings.onError(wrap(`cannot receive from subscription "${this.name}"`, error));
          await sleep(1_000, this.abort.signal);
        }
      } finally {
        this.reserved -= count;
      }
      if (this.closed) {
        await Promise.allSettled(messages.map((message) => this.release(message, 0)));
        return;
      }
      this.dispatch(messages);
    }
  }

  /**
   * Messages of one FIFO group run one after another, in the order received; others in
   * parallel. When one is retried, the rest of its group in this batch go back too, so the
   * retried message is still the first of its group to be delivered again.
   */
  private dispatch(messages: SqsMessage[]): void {
    if (!this.queue.fifo) {
      for (const message of messages) this.track(this.handle(message));
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
          if (previousOk && !this.closed) return this.handle(message);
          // An earlier message of the group was not acked: returning this one keeps the order.
          await this.release(message, 0);
          return false;
        });
        this.track(chain.then(() => undefined));
      }
    }
  }

  private track(work: Promise<unknown>): void {
    const done: Promise<void> = work
      .then(() => undefined)
      .catch((error: unknown) => this.settings.onError(wrap("a delivery failed unexpectedly", error)))
      .finally(() => {
        this.running.delete(done);
        this.slotWaiters.shift()?.();
      });
    this.running.add(done);
  }

  /** Runs the handler on one message and settles it; true when it left the queue (acked or dead-lettered). */
  private async handle(raw: SqsMessage): Promise<boolean> {
    const envelope = decodeAttributes(raw.MessageAttributes);
    const attempt = Number(raw.Attributes?.ApproximateReceiveCount ?? "1");
    let body: unknown;
    try {
      body = JSON.parse(raw.Body ?? "null");
    } catch (error) {
      await this.deadLetter(raw, envelope, `body is not JSON: ${(error as Error).message}`);
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
    const stopOnClose = () => delivery.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener("abort", stopOnClose, { once: true });
    let lockLost = false;
    const heartbeat = this.settings.renewLock
      ? setInterval(
          () => {
            this.changeVisibility(raw, this.queue.lockSeconds).catch((error: unknown) => {
              lockLost = true;
              delivery.abort(error);
              this.settings.onError(wrap(`lost the lock on message "${message.id}"`, error));
            });
          },
          (this.queue.lockSeconds * 1_000) / 2,
        )
      : undefined;

    let reason: string | undefined;
    let failure: unknown;
    let failed = false;
    try {
      await this.handler(message, {
        deadLetter: (why) => {
          reason ??= why;
        },
        signal: delivery.signal,
      });
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      clearInterval(heartbeat);
      this.abort.signal.removeEventListener("abort", stopOnClose);
    }
    // Another consumer may hold the message now; settling it here could undo their work.
    if (lockLost) return false;

    if (reason !== undefined) {
      await this.deadLetter(raw, envelope, reason);
      return true;
    }
    if (!failed) {
      this.ack(raw);
      return true;
    }
    if (attempt >= this.queue.maxAttempts) {
      const why = `failed on attempt ${attempt} of ${this.queue.maxAttempts}: ${describe(failure)}`;
      await this.deadLetter(raw, envelope, why);
      return true;
    }
    const delaySeconds = Math.round(retryDelayMs(attempt, this.settings.backoff) / 1_000);
    await this.release(raw, delaySeconds);
    return false;
  }

  private async deadLetter(raw: SqsMessage, envelope: DecodedEnvelope, reason: string): Promise<void> {
    if (!this.queue.deadLetterUrl) {
      this.settings.onError(
        wrap(`subscription "${this.name}" has no dead-letter queue; message returned to the queue`, reason),
      );
      await this.release(raw, this.queue.lockSeconds);
      return;
    }
    const id = envelope.id ?? raw.MessageId ?? "";
    const attributes = encodeAttributes(
      { id, key: envelope.key, publishedAt: envelope.publishedAt ?? new Date(), reason },
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
      this.settings.onError(wrap("cannot delete an acked message; it will be delivered again", error));
    });
  }

  private async release(raw: SqsMessage, seconds: number): Promise<void> {
    try {
      await this.changeVisibility(raw, seconds);
    } catch (error) {
      // The message comes back when its visibility times out anyway.
      this.settings.onError(wrap("cannot return a message to the queue", error));
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function wrap(what: string, cause: unknown): Error {
  return new Error(`[taskflow] [aws-sns-sqs] ${what}: ${describe(cause)}`, { cause });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
