import { retryDelayMs } from "../core/backoff.js";
import type { DeadLetter } from "../core/message.js";
import { Deque, DueHeap } from "./broker-queue.js";
import { Attempt, type AttemptOwner, type Consumer, Entry } from "./consumer.js";
import { type Envelope, toDeadLetter, toMessage } from "./envelope.js";

/** Fixed when the subscription is created, as on every cloud. */
export interface GroupSettings {
  readonly maxAttempts: number;
  readonly ordered: boolean;
  readonly lockMs: number;
}

/** The store's single timer: a group asks to be swept again at `at` (epoch ms). */
export interface TimerHost {
  wake(group: ConsumerGroup, at: number): void;
}

/**
 * Deliveries handed out in one go before yielding to the event loop, so a long queue with
 * synchronous handlers cannot starve timers and I/O.
 */
const PUMP_BUDGET = 2_048;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One subscription: a queue shared by competing consumers. It tracks each message from
 * publish to ack or dead letter: ready, delayed, running under a lock, waiting out a retry
 * backoff, or waiting behind an earlier message of its key.
 *
 * Hot path: publishing pushes to `ready` and schedules one pump per event-loop turn; the
 * pump hands messages to consumers with free capacity in a loop. No timer or promise is
 * created per message unless a delay, a retry or an unrenewed lock needs one, and those
 * share the store's single timer.
 */
export class ConsumerGroup implements AttemptOwner {
  private readonly ready = new Deque<Entry>();
  /** Ordered groups: key → entries behind the one holding the key's turn. */
  private readonly keyQueues = new Map<string, Deque<Entry> | null>();
  private readonly scheduled = new DueHeap<Entry>();
  /** Running attempts under an unrenewed lock, in deadline order (lockMs is fixed per group). */
  private readonly leases = new Set<Attempt>();
  private readonly consumers: Consumer[] = [];
  private cursor = 0;
  private readonly deadLetters: DeadLetter<unknown>[] = [];
  private readonly deadLetterWaiters = new Set<() => void>();
  private pumping = false;
  private pumpScheduled = false;

  constructor(
    readonly topic: string,
    readonly name: string,
    readonly settings: GroupSettings,
    private readonly timers: TimerHost,
  ) {}

  /** A message published to the topic. */
  accept(envelope: Envelope, now: number): void {
    const entry = new Entry(envelope);
    if (envelope.availableAt > now) {
      entry.dueAt = envelope.availableAt;
      this.scheduled.push(entry);
      this.timers.wake(this, entry.dueAt);
      return;
    }
    this.admit(entry);
    this.schedulePump();
  }

  attach(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.schedulePump();
  }

  detach(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index < 0) return;
    this.consumers.splice(index, 1);
    if (this.cursor > index) this.cursor--;
    if (this.cursor >= this.consumers.length) this.cursor = 0;
  }

  /** Takes up to `max` dead letters, waiting up to `waitMs` for the first. */
  async takeDeadLetters(max: number, waitMs: number): Promise<DeadLetter<unknown>[]> {
    if (this.deadLetters.length === 0 && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.deadLetterWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.deadLetterWaiters.add(done);
      });
    }
    return this.deadLetters.splice(0, max);
  }

  /**
   * Moves what is due at `now` and expires stale locks; returns when it next needs a sweep
   * (`Infinity` when nothing is timed).
   */
  sweep(now: number): number {
    for (const attempt of this.leases) {
      if (attempt.leaseDeadline > now) break;
      this.giveUp(attempt, `lock of ${this.settings.lockMs} ms expired without renewal`);
    }
    for (let entry = this.scheduled.popDue(now); entry; entry = this.scheduled.popDue(now)) {
      if (entry.retrying) {
        entry.retrying = false;
        this.redeliver(entry);
      } else {
        this.admit(entry);
      }
    }
    this.schedulePump();
    const nextLease = this.leases.values().next().value?.leaseDeadline ?? Number.POSITIVE_INFINITY;
    return Math.min(nextLease, this.scheduled.nextDueAt);
  }

  /**
   * The attempt loses its message without an outcome (lock expired, or its consumer closed
   * before the handler finished): the message counts as delivered and comes back.
   */
  giveUp(attempt: Attempt, why: string): void {
    if (attempt.settled) return;
    this.settle(attempt);
    attempt.abort(why);
    const entry = attempt.entry;
    if (entry.deliveries >= this.settings.maxAttempts) {
      this.toDeadLetter(entry, `${why} on attempt ${entry.deliveries} of ${this.settings.maxAttempts}`);
    } else {
      this.redeliver(entry);
    }
  }

  /**
   * The consumer's process died: it takes nothing more, and each message it was running is
   * held only until its lock runs out (renewals stop now), then delivered again. Its handlers
   * may still finish in this process, but no ack, nack or dead letter of theirs counts.
   */
  abandon(consumer: Consumer): void {
    this.detach(consumer);
    consumer.crashed = true;
    const deadline = Date.now() + this.settings.lockMs;
    for (const attempt of consumer.running) {
      if (attempt.settled || attempt.leaseDeadline !== 0) continue;
      attempt.leaseDeadline = deadline;
      this.leases.add(attempt);
    }
    this.timers.wake(this, deadline);
  }

  deadLetterFromHandler(attempt: Attempt, reason: string): void {
    if (attempt.settled || attempt.consumer.crashed) return;
    this.settle(attempt);
    this.toDeadLetter(attempt.entry, reason);
  }

  /** Runs handlers while there are ready messages and consumers with free capacity. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let budget = PUMP_BUDGET;
      while (this.ready.length > 0) {
        if (budget-- === 0) {
          this.schedulePump();
          return;
        }
        const consumer = this.freeConsumer();
        if (!consumer) return;
        const entry = this.ready.shift()!;
        if (entry.envelope.expiresAt !== Number.POSITIVE_INFINITY && entry.envelope.expiresAt <= Date.now()) {
          // Dropped, not dead-lettered: what Service Bus does unless dead-lettering on expiry is enabled.
          this.release(entry);
          continue;
        }
        this.deliver(consumer, entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.ready.length === 0) return;
    this.pumpScheduled = true;
    setImmediate(this.scheduledPump);
  }

  private readonly scheduledPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  /** Round robin over consumers with a free slot, so competing consumers share the work. */
  private freeConsumer(): Consumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.cursor + i) % count;
      const consumer = this.consumers[index]!;
      if (consumer.active < consumer.maxConcurrency) {
        this.cursor = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(consumer: Consumer, entry: Entry): void {
    entry.deliveries++;
    const attempt = new Attempt(this, consumer, entry);
    consumer.active++;
    consumer.running.add(attempt);
    if (!consumer.settings.renewLock) {
      attempt.leaseDeadline = Date.now() + this.settings.lockMs;
      this.leases.add(attempt);
      this.timers.wake(this, attempt.leaseDeadline);
    }
    let result: unknown;
    try {
      result = consumer.settings.handler(toMessage(entry.envelope, entry.deliveries), attempt);
    } catch (error) {
      this.finish(attempt, true, error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
      (result as PromiseLike<unknown>).then(
        () => this.finish(attempt, false, undefined),
        (error: unknown) => this.finish(attempt, true, error),
      );
    } else {
      this.finish(attempt, false, undefined);
    }
  }

  private finish(attempt: Attempt, failed: boolean, error: unknown): void {
    const consumer = attempt.consumer;
    consumer.active--;
    consumer.running.delete(attempt);
    if (!attempt.settled && !consumer.crashed) {
      this.settle(attempt);
      if (failed) this.retryOrDeadLetter(attempt, describe(error));
      else this.ack(attempt);
    }
    if (consumer.active === 0) consumer.notifyIdle();
    this.pump();
  }

  private settle(attempt: Attempt): void {
    attempt.settled = true;
    if (attempt.leaseDeadline !== 0) this.leases.delete(attempt);
  }

  private ack(attempt: Attempt): void {
    const { entry, consumer } = attempt;
    const { duplicateRate, random } = consumer.settings;
    if (duplicateRate > 0 && !entry.duplicated && random() < duplicateRate) {
      // The ack is "lost": the broker still holds the message and hands it out again.
      entry.duplicated = true;
      this.redeliver(entry);
      return;
    }
    this.release(entry);
  }

  private retryOrDeadLetter(attempt: Attempt, error: string): void {
    const entry = attempt.entry;
    if (entry.deliveries >= this.settings.maxAttempts) {
      this.toDeadLetter(entry, `handler failed on all ${entry.deliveries} attempts; last error: ${error}`);
      return;
    }
    const { backoff, random } = attempt.consumer.settings;
    entry.dueAt = Date.now() + retryDelayMs(entry.deliveries, backoff, random);
    entry.retrying = true;
    this.scheduled.push(entry);
    this.timers.wake(this, entry.dueAt);
  }

  private toDeadLetter(entry: Entry, reason: string): void {
    this.deadLetters.push(toDeadLetter(entry.envelope, entry.deliveries, reason));
    for (const wake of this.deadLetterWaiters) wake();
    this.release(entry);
  }

  /** An entry that is due joins the ready queue, or waits behind the entry holding its key. */
  private admit(entry: Entry): void {
    const key = entry.envelope.key;
    if (!this.settings.ordered || key === undefined) {
      this.ready.push(entry);
      return;
    }
    if (this.keyQueues.has(key)) {
      let waiting = this.keyQueues.get(key);
      if (!waiting) {
        waiting = new Deque<Entry>();
        this.keyQueues.set(key, waiting);
      }
      waiting.push(entry);
      return;
    }
    this.keyQueues.set(key, null);
    entry.holdsKey = true;
    this.ready.push(entry);
  }

  /** Back to the queue with its key's turn kept, so it runs before later entries of the key. */
  private redeliver(entry: Entry): void {
    if (entry.holdsKey) this.ready.unshift(entry);
    else this.ready.push(entry);
    this.schedulePump();
  }

  /** The entry leaves the subscription; the next entry of its key gets the turn. */
  private release(entry: Entry): void {
    if (!entry.holdsKey) return;
    entry.holdsKey = false;
    const key = entry.envelope.key!;
    const next = this.keyQueues.get(key)?.shift();
    if (next) {
      next.holdsKey = true;
      this.ready.push(next);
      this.schedulePump();
    } else {
      this.keyQueues.delete(key);
    }
  }
}
