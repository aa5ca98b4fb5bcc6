import { retryDelayMs } from "../core/backoff.js";
import { TaskflowError } from "../core/errors.js";
import type { Message } from "../core/message.js";
import type { BackoffOptions, MessageHandler, Subscription } from "../core/message-broker.js";
import type { SbClientLike, SbReceivedMessage, SbReceiverLike } from "./client.js";
import { ATTEMPTS_PROPERTY, fromServiceBusMessage } from "./envelope.js";
import { COMPONENT, isLockLost, isNoSession, mapSubscriptionError } from "./provider-errors.js";

/** How long one receive call waits before checking whether the subscription closed. */
const RECEIVE_WAIT_MS = 1_000;
/**
 * A session with nothing new for this long is released so another consumer can take it; short,
 * because a keyless message is a session of its own.
 */
const SESSION_IDLE_MS = 250;
/** Service Bus dead-letter reason and description are kept short. */
const MAX_REASON_LENGTH = 1_024;

export interface ServiceBusConsumerSettings {
  readonly client: SbClientLike;
  /** Entity names the receivers use. */
  readonly entityTopic: string;
  readonly entitySubscription: string;
  /** The caller's names, as they appear on messages and in errors. */
  readonly topic: string;
  readonly name: string;
  readonly handler: MessageHandler;
  /** Session-enabled subscription: one session (ordering key) at a time per worker, in order. */
  readonly ordered: boolean;
  readonly maxAttempts: number;
  readonly maxConcurrency: number;
  /** 0 turns lock renewal off. */
  readonly lockRenewalMs: number;
  readonly backoff: BackoffOptions;
  onError(error: TaskflowError): void;
  onClosed(): void;
}

type Outcome =
  | { kind: "ok" }
  | { kind: "error"; error: unknown }
  | { kind: "dead-letter"; reason: string; description: string };

/**
 * One consumer of a subscription, in peek-lock mode: complete on ack, dead-letter with reason
 * and description, and on a failed handler a wait of the backoff time *while holding the
 * lock*, then abandon. Holding keeps Service Bus's own delivery count equal to our attempt
 * number (so the subscription's max delivery count is the backstop for `maxAttempts`) and, on
 * a session, keeps the next message of the key behind the failed one. Rescheduling a copy
 * instead would lose both; deferring would need a sequence-number store of our own.
 */
export class ServiceBusSubscription implements Subscription {
  readonly topic: string;
  readonly name: string;
  private readonly closing = new AbortController();
  private readonly inflight = new Set<Promise<void>>();
  private readonly workers: Promise<void>[] = [];
  private closed?: Promise<void>;

  constructor(private readonly settings: ServiceBusConsumerSettings) {
    this.topic = settings.topic;
    this.name = settings.name;
  }

  start(): void {
    if (this.settings.ordered) {
      for (let i = 0; i < this.settings.maxConcurrency; i++) this.workers.push(this.sessionWorker());
    } else {
      this.workers.push(this.pump());
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing.abort(new Error("the subscription is closing"));
    await Promise.allSettled(this.workers);
    await Promise.allSettled([...this.inflight]);
    this.settings.onClosed();
  }

  private get stopping(): boolean {
    return this.closing.signal.aborted;
  }

  /** Unordered: one receiver fetches as many messages as there are free handler slots. */
  private async pump(): Promise<void> {
    const { client, entityTopic, entitySubscription, maxConcurrency } = this.settings;
    const receiver = client.createReceiver(entityTopic, entitySubscription, this.receiverOptions());
    let failures = 0;
    try {
      while (!this.stopping) {
        if (this.inflight.size >= maxConcurrency) {
          await Promise.race(this.inflight);
          continue;
        }
        let messages: SbReceivedMessage[];
        try {
          messages = await receiver.receiveMessages(maxConcurrency - this.inflight.size, {
            maxWaitTimeInMs: RECEIVE_WAIT_MS,
            abortSignal: this.closing.signal,
          });
          failures = 0;
        } catch (error) {
          if (this.stopping) break;
          this.report("receive from", error);
          await this.pause(retryDelayMs(++failures, this.settings.backoff));
          continue;
        }
        for (const message of messages) this.track(this.handle(receiver, message));
      }
      await Promise.allSettled([...this.inflight]);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  /** Ordered: take a free session, drain it in order, release it when idle, take the next. */
  private async sessionWorker(): Promise<void> {
    const { client, entityTopic, entitySubscription, lockRenewalMs } = this.settings;
    let failures = 0;
    while (!this.stopping) {
      let session: SbReceiverLike;
      try {
        session = await client.acceptNextSession(entityTopic, entitySubscription, {
          maxAutoLockRenewalDurationInMs: lockRenewalMs,
          skipParsingBodyAsJson: true,
          abortSignal: this.closing.signal,
        });
        failures = 0;
      } catch (error) {
        if (this.stopping) break;
        if (!isNoSession(error)) {
          this.report("take a session of", error);
          await this.pause(retryDelayMs(++failures, this.settings.backoff));
        }
        continue;
      }
      try {
        while (!this.stopping) {
          const [message] = await session.receiveMessages(1, { maxWaitTimeInMs: SESSION_IDLE_MS });
          if (!message) break;
          const work = this.handle(session, message);
          this.track(work);
          await work;
        }
      } catch (error) {
        if (!this.stopping && !isLockLost(error)) this.report("receive from a session of", error);
      } finally {
        await session.close().catch(() => undefined);
      }
    }
  }

  private async handle(receiver: SbReceiverLike, received: SbReceivedMessage): Promise<void> {
    const { maxAttempts, backoff } = this.settings;
    // Received as the subscription closed: hand it straight back for another consumer.
    if (this.stopping) return this.settle("abandon", () => receiver.abandonMessage(received));
    let message: Message;
    try {
      message = fromServiceBusMessage(this.settings.topic, received);
    } catch (error) {
      return this.deadLetter(receiver, received, "cannot decode message", describe(error), 1);
    }
    const outcome = await this.runHandler(message, received);
    if (outcome.kind === "ok") return this.settle("complete", () => receiver.completeMessage(received));
    if (outcome.kind === "dead-letter") {
      return this.deadLetter(receiver, received, outcome.reason, outcome.description, message.attempt);
    }
    if (message.attempt >= maxAttempts) {
      const reason = `failed ${message.attempt} of ${maxAttempts} attempts: ${describe(outcome.error)}`;
      return this.deadLetter(receiver, received, reason, describeFully(outcome.error), message.attempt);
    }
    await this.pause(retryDelayMs(message.attempt, backoff));
    return this.settle("abandon", () => receiver.abandonMessage(received));
  }

  private async runHandler(message: Message, received: SbReceivedMessage): Promise<Outcome> {
    const controller = new AbortController();
    const abortOnClose = () => controller.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener("abort", abortOnClose, { once: true });
    // Without renewal the lock ends at `lockedUntilUtc`: the message is given up then, and
    // the handler is told through its signal.
    let timer: NodeJS.Timeout | undefined;
    if (this.settings.lockRenewalMs === 0 && received.lockedUntilUtc) {
      const left = received.lockedUntilUtc.getTime() - Date.now();
      timer = setTimeout(() => controller.abort(new Error("the message lock expired")), Math.max(0, left));
    }
    let dead: { reason: string } | undefined;
    const context = {
      deadLetter: (reason: string) => {
        dead ??= { reason };
      },
      signal: controller.signal,
    };
    try {
      await this.settings.handler(message, context);
      return dead
        ? { kind: "dead-letter", reason: dead.reason, description: "dead-lettered by the handler" }
        : { kind: "ok" };
    } catch (error) {
      return dead
        ? { kind: "dead-letter", reason: dead.reason, description: describeFully(error) }
        : { kind: "error", error };
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener("abort", abortOnClose);
    }
  }

  private deadLetter(
    receiver: SbReceiverLike,
    received: SbReceivedMessage,
    reason: string,
    description: string,
    attempts: number,
  ): Promise<void> {
    return this.settle("dead-letter", () =>
      receiver.deadLetterMessage(received, {
        deadLetterReason: reason.slice(0, MAX_REASON_LENGTH),
        deadLetterErrorDescription: description.slice(0, MAX_REASON_LENGTH),
        [ATTEMPTS_PROPERTY]: String(attempts),
      }),
    );
  }

  private async settle(what: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      // A lost lock means Service Bus already put the message back: it comes again.
      this.settings.onError(
        new TaskflowError(
          COMPONENT,
          `cannot ${what} a message of subscription "${this.name}"${isLockLost(error) ? "; it will be delivered again" : ""}`,
          { cause: error },
        ),
      );
    }
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    const forget = () => this.inflight.delete(work);
    work.then(forget, forget);
  }

  private receiverOptions() {
    return {
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: this.settings.lockRenewalMs,
      skipParsingBodyAsJson: true,
    } as const;
  }

  private report(what: string, error: unknown): void {
    this.settings.onError(mapSubscriptionError(this.settings.topic, this.name, what, error));
  }

  /** Waits, cut short when the subscription closes. */
  private pause(ms: number): Promise<void> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeFully(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
