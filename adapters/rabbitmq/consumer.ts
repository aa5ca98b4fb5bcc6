import type { Channel, ConsumeMessage } from "amqplib";
import { retryDelayMs } from "../core/backoff.js";
import type { BackoffOptions, DeliveryContext, MessageHandler, Subscription } from "../core/message-broker.js";
import type { AmqpLink } from "./connection.js";
import { decodeDelivery, deliveryAttempt, republishOptions, UndecodableMessageError } from "./envelope.js";
import { deadLetterExchange, retryQueue, retryTier } from "./names.js";
import type { ConfirmPublisher } from "./publisher.js";
import type { Topology } from "./topology.js";

export interface ConsumerSettings {
  readonly topic: string;
  readonly subscription: string;
  readonly queue: string;
  readonly maxConcurrency: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  /** Bound on waiting for a connection while attaching. */
  readonly timeoutMs: number;
}

interface Attachment {
  readonly channel: Channel;
  readonly epoch: number;
  consumerTag?: string;
  open: boolean;
}

/**
 * The context of one handler call, and the record of it while it runs. Its abort controller
 * is made only if the handler reads `signal`: most never do, and one per message costs.
 */
class Running implements DeliveryContext {
  deadReason: string | undefined;
  private controller: AbortController | undefined;
  private aborted = false;

  /** A fresh function on each read, bound to this delivery, so a handler may destructure it. */
  get deadLetter(): (reason: string) => void {
    return (reason) => {
      this.deadReason ??= reason;
    };
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

const ignore = () => {};

/**
 * One consumer on a subscription's queue, on its own channel with prefetch = `maxConcurrency`,
 * so the broker never hands it more messages than it may run at once.
 *
 * A handler that resolves acks the delivery. One that throws sends the message, with its
 * attempt count raised, to the retry queue of the nearest delay tier and acks the original, so
 * a failing message never blocks the ones behind it; at `maxAttempts` it goes to the
 * dead-letter exchange with the error as its reason, as does `deadLetter(reason)` at once.
 * Republishes are confirmed before the original is acked: a crash in between duplicates,
 * never loses. After a reconnect the consumer attaches again by itself.
 */
export class RabbitMqConsumer implements Subscription {
  readonly topic: string;
  readonly name: string;
  private attachment: Attachment | undefined;
  private attaching: Promise<void> | undefined;
  private readonly running = new Set<Running>();
  private idle: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  private reattachTimer: NodeJS.Timeout | undefined;
  private reattachAttempt = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly link: AmqpLink,
    private readonly topology: Topology,
    private readonly publisher: ConfirmPublisher,
    private readonly handler: MessageHandler,
    private readonly settings: ConsumerSettings,
  ) {
    this.topic = settings.topic;
    this.name = settings.subscription;
    this.stopListening = link.onConnect(() => this.reattach());
  }

  /** Attaches the first time; failures reach the caller of `subscribe`. */
  start(): Promise<void> {
    return this.attach();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private attach(): Promise<void> {
    this.attaching ??= this.openConsumer().finally(() => {
      this.attaching = undefined;
    });
    return this.attaching;
  }

  private async openConsumer(): Promise<void> {
    const current = this.attachment;
    if (current?.open && current.epoch === this.link.epoch) return;
    const model = await this.link.connection(this.settings.timeoutMs);
    const epoch = this.link.epoch;
    const channel = await model.createChannel();
    const attachment: Attachment = { channel, epoch, open: true };
    channel.on("error", ignore);
    channel.once("close", () => {
      attachment.open = false;
      // Messages held by a closed channel go back to the queue; their handlers should stop.
      this.abortRunning();
      if (this.attachment === attachment && this.link.connected) this.scheduleReattach();
    });
    await channel.prefetch(this.settings.maxConcurrency);
    this.attachment = attachment;
    if (this.closing) {
      await channel.close().catch(ignore);
      return;
    }
    const reply = await channel.consume(this.settings.queue, (delivery) => this.onDelivery(attachment, delivery));
    attachment.consumerTag = reply.consumerTag;
    this.reattachAttempt = 0;
  }

  private reattach(): void {
    if (this.closing) return;
    this.attach().catch(() => this.scheduleReattach());
  }

  private scheduleReattach(): void {
    if (this.closing || this.reattachTimer) return;
    this.reattachAttempt += 1;
    const delay = retryDelayMs(this.reattachAttempt, { initialMs: 100, maxMs: 5_000 });
    this.reattachTimer = setTimeout(() => {
      this.reattachTimer = undefined;
      this.reattach();
    }, delay);
  }

  private onDelivery(attachment: Attachment, delivery: ConsumeMessage | null): void {
    if (delivery === null) {
      // The broker cancelled the consumer (its queue was deleted): declare and attach again.
      attachment.open = false;
      attachment.channel.close().catch(ignore);
      this.topology.forgetSubscription(this.settings.queue);
      this.topology.requireSubscription(this.settings.topic, this.settings.subscription).catch(ignore);
      this.scheduleReattach();
      return;
    }
    if (this.closing) {
      // Arrived between close() and the broker's cancel-ok: hand it back untouched.
      safely(() => attachment.channel.nack(delivery, false, true));
      return;
    }
    void this.handle(attachment, delivery);
  }

  private async handle(attachment: Attachment, delivery: ConsumeMessage): Promise<void> {
    const running = new Running();
    this.running.add(running);
    let failure: { error: unknown } | undefined;
    try {
      await this.handler(decodeDelivery(delivery, this.settings.topic), running);
    } catch (error) {
      failure = { error };
      if (error instanceof UndecodableMessageError) running.deadReason ??= error.message;
    }
    try {
      // A channel lost while the handler ran has already returned the message to the queue.
      if (!attachment.open) return;
      const { deadReason } = running;
      if (deadReason === undefined && failure === undefined) safely(() => attachment.channel.ack(delivery));
      else await this.settleFailure(attachment, delivery, deadReason, failure?.error);
    } finally {
      this.running.delete(running);
      if (this.running.size === 0) this.idle?.();
    }
  }

  private async settleFailure(
    attachment: Attachment,
    delivery: ConsumeMessage,
    deadReason: string | undefined,
    error: unknown,
  ): Promise<void> {
    const attempt = deliveryAttempt(delivery.properties.headers, delivery.fields.redelivered);
    try {
      if (deadReason !== undefined) {
        await this.deadLetter(delivery, attempt, deadReason);
      } else if (attempt >= this.settings.maxAttempts) {
        await this.deadLetter(delivery, attempt, `failed ${attempt} attempts; last error: ${describe(error)}`);
      } else {
        await this.retryLater(delivery, attempt);
      }
      if (attachment.open) safely(() => attachment.channel.ack(delivery));
    } catch {
      // The republish was not confirmed: leave the message to the broker to deliver again.
      if (attachment.open) safely(() => attachment.channel.nack(delivery, false, true));
    }
  }

  private async retryLater(delivery: ConsumeMessage, attempt: number): Promise<void> {
    const tier = retryTier(retryDelayMs(attempt, this.settings.backoff));
    await this.topology.ensureRetryQueue(this.settings.queue, tier);
    const target = retryQueue(this.settings.queue, tier);
    await this.publisher.send("", target, delivery.content, republishOptions(delivery, attempt + 1));
  }

  private async deadLetter(delivery: ConsumeMessage, attempt: number, reason: string): Promise<void> {
    const exchange = deadLetterExchange(this.settings.queue);
    await this.publisher.send(exchange, "", delivery.content, republishOptions(delivery, attempt, reason));
  }

  private abortRunning(): void {
    for (const running of this.running) running.abort();
  }

  private async shutdown(): Promise<void> {
    this.stopListening();
    clearTimeout(this.reattachTimer);
    // An attach still waiting for a connection sees `closing` and closes its own channel.
    const attachment = this.attachment;
    if (attachment?.open && attachment.consumerTag !== undefined) {
      await attachment.channel.cancel(attachment.consumerTag).catch(ignore);
    }
    // Running handlers finish and are acked; the signal tells them the consumer is stopping.
    for (const running of this.running) running.abort();
    if (this.running.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    if (attachment?.open) await attachment.channel.close().catch(ignore);
  }
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The channel closed in the meantime; the broker redelivers what it held.
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
