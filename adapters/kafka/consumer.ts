import { retryDelayMs } from "../core/backoff.js";
import { TaskflowError } from "../core/errors.js";
import type { Message } from "../core/message.js";
import type { BackoffOptions, MessageHandler, Subscription } from "../core/message-broker.js";
import type { KafkaConsumerLike, KafkaEachMessagePayload, KafkaOutgoingRecord, KafkaReceivedRecord } from "./client.js";
import { fromRecord, toDeadLetterRecord } from "./envelope.js";
import { COMPONENT, isRebalance } from "./provider-errors.js";

/** kafkajs evicts a member after 30 s without a heartbeat; a long handler or wait beats more often. */
const HEARTBEAT_EVERY_MS = 3_000;

export interface KafkaSubscriptionSettings {
  readonly consumer: KafkaConsumerLike;
  /** Kafka topic the consumer reads. */
  readonly kafkaTopic: string;
  /** The caller's names, as they appear on messages and in errors. */
  readonly topic: string;
  readonly name: string;
  readonly handler: MessageHandler;
  readonly maxAttempts: number;
  readonly lockMs: number;
  readonly maxConcurrency: number;
  readonly backoff: BackoffOptions;
  /** How long `start` waits for the first group assignment before it resolves anyway. */
  readonly joinTimeoutMs: number;
  publishDeadLetter(record: KafkaOutgoingRecord): Promise<void>;
  onError(error: TaskflowError): void;
  onClosed(): void;
}

type Outcome = { kind: "ok" } | { kind: "error"; error: unknown } | { kind: "dead-letter"; reason: string };

/** What one delivery learns while it runs: the group took its partition away. */
interface DeliveryState {
  lost: boolean;
  beat(): Promise<void>;
}

/**
 * One consumer of a subscription: a member of the subscription's consumer group.
 *
 * Kafka has no per-message ack, lock, retry or dead-letter queue, so this class provides them
 * on top of offsets. Each partition is consumed one record at a time (kafkajs `eachMessage`),
 * and the offset is committed only once the record is settled: acked, or written to the
 * dead-letter topic. A failed handler is retried here, with backoff, while the partition
 * waits, which keeps later records of the same key behind it. A handler that runs past
 * `lockMs` is given up (its signal aborts) and the record is tried again, as a lost lock
 * would be elsewhere. When the group reassigns the partition mid-retry, the record is left
 * uncommitted for its new owner.
 */
export class KafkaSubscription implements Subscription {
  readonly topic: string;
  readonly name: string;
  private readonly inflight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private closed?: Promise<void>;
  private stopCrashReports?: () => void;

  constructor(private readonly settings: KafkaSubscriptionSettings) {
    this.topic = settings.topic;
    this.name = settings.name;
  }

  /** Joins the group and starts consuming; resolves once partitions are assigned. */
  async start(): Promise<void> {
    const { consumer, kafkaTopic, maxConcurrency, joinTimeoutMs } = this.settings;
    let joined!: () => void;
    const firstJoin = new Promise<void>((resolve) => {
      joined = resolve;
    });
    const stopListening = consumer.on("consumer.group_join", () => joined());
    this.stopCrashReports = consumer.on("consumer.crash", ({ payload }) => {
      const what = payload.restart ? "stopped and is restarting" : "stopped and will not restart";
      this.settings.onError(
        new TaskflowError(COMPONENT, `the consumer of subscription "${this.name}" ${what}`, { cause: payload.error }),
      );
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      // Partitions without a committed offset start at the beginning: the subscription's
      // starting point was committed when it was created (see `ensureSubscription`).
      await consumer.subscribe({ topics: [kafkaTopic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: maxConcurrency,
        eachMessage: (payload) => this.deliver(payload),
      });
      await Promise.race([firstJoin, new Promise((resolve) => (timer = setTimeout(resolve, joinTimeoutMs)))]);
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
      stopListening();
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing.abort(new Error("the subscription is closing"));
    await Promise.allSettled([...this.inflight]);
    this.stopCrashReports?.();
    try {
      await this.settings.consumer.disconnect();
    } catch (error) {
      this.settings.onError(
        new TaskflowError(COMPONENT, `cannot disconnect consumer of "${this.name}"`, { cause: error }),
      );
    }
    this.settings.onClosed();
  }

  private async deliver(payload: KafkaEachMessagePayload): Promise<void> {
    // A record fetched after close is left uncommitted: the next owner of the partition gets it.
    if (this.closing.signal.aborted) return;
    const work = this.process(payload);
    this.inflight.add(work);
    try {
      await work;
    } finally {
      this.inflight.delete(work);
    }
  }

  private async process({ partition, message: record, heartbeat }: KafkaEachMessagePayload): Promise<void> {
    const { maxAttempts, backoff } = this.settings;
    const state: DeliveryState = {
      lost: false,
      beat: () =>
        heartbeat().catch((error: unknown) => {
          if (isRebalance(error)) state.lost = true;
        }),
    };
    for (let attempt = 1; ; attempt++) {
      let message: Message;
      try {
        message = fromRecord(this.settings.topic, partition, record, attempt);
      } catch (error) {
        return this.deadLetter(partition, record, describe(error), attempt, state);
      }
      const outcome = await this.runHandler(message, state);
      if (outcome.kind === "ok") return this.commit(partition, record.offset);
      if (outcome.kind === "dead-letter") return this.deadLetter(partition, record, outcome.reason, attempt, state);
      if (attempt >= maxAttempts) {
        const reason = `failed ${attempt} of ${maxAttempts} attempts: ${describe(outcome.error)}`;
        return this.deadLetter(partition, record, reason, attempt, state);
      }
      // Not committed, so whoever owns the partition next delivers it again.
      if (!(await this.wait(retryDelayMs(attempt, backoff), state)) || state.lost) return;
    }
  }

  private async runHandler(message: Message, state: DeliveryState): Promise<Outcome> {
    const controller = new AbortController();
    const abortOnClose = () => controller.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener("abort", abortOnClose, { once: true });
    let reason: string | undefined;
    const context = {
      deadLetter: (why: string) => {
        reason ??= why;
      },
      signal: controller.signal,
    };
    const beating = setInterval(() => void state.beat(), HEARTBEAT_EVERY_MS);
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = Promise.resolve()
        .then(() => this.settings.handler(message, context))
        .then(
          (): Outcome => ({ kind: "ok" }),
          (error: unknown): Outcome => ({ kind: "error", error }),
        );
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), this.settings.lockMs);
      });
      const outcome = await Promise.race([run, expired]);
      if (outcome === "expired") {
        const error = new Error(`handler ran past the lock time of ${this.settings.lockMs} ms`);
        controller.abort(error);
        if (reason !== undefined) return { kind: "dead-letter", reason };
        return { kind: "error", error };
      }
      return reason !== undefined ? { kind: "dead-letter", reason } : outcome;
    } finally {
      clearTimeout(timer);
      clearInterval(beating);
      this.closing.signal.removeEventListener("abort", abortOnClose);
    }
  }

  /** Writes the record to the dead-letter topic, then commits; never commits a record it could not keep. */
  private async deadLetter(
    partition: number,
    record: KafkaReceivedRecord,
    reason: string,
    attempts: number,
    state: DeliveryState,
  ): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.settings.publishDeadLetter(toDeadLetterRecord(record, reason, attempts));
        return this.commit(partition, record.offset);
      } catch (error) {
        this.settings.onError(
          new TaskflowError(COMPONENT, `cannot dead-letter a message of subscription "${this.name}"`, { cause: error }),
        );
        if (!(await this.wait(retryDelayMs(tries, this.settings.backoff), state)) || state.lost) return;
      }
    }
  }

  private async commit(partition: number, offset: string): Promise<void> {
    try {
      const next = (BigInt(offset) + 1n).toString();
      await this.settings.consumer.commitOffsets([{ topic: this.settings.kafkaTopic, partition, offset: next }]);
    } catch (error) {
      // Commits are cumulative: a later commit covers this one, and without one the record is
      // delivered again, which consumers absorb by de-duplicating on the message id.
      this.settings.onError(
        new TaskflowError(
          COMPONENT,
          `cannot commit offset ${offset} of partition ${partition} for subscription "${this.name}"`,
          { cause: error },
        ),
      );
    }
  }

  /**
   * Sleeps while keeping the membership alive, and asks the group once more at the end, so a
   * retry never starts on a partition this member lost. False when the subscription closed.
   */
  private async wait(ms: number, state: DeliveryState): Promise<boolean> {
    const signal = this.closing.signal;
    const until = Date.now() + ms;
    while (!signal.aborted && !state.lost && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(HEARTBEAT_EVERY_MS, until - Date.now()));
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
      await state.beat();
    }
    return !signal.aborted;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
