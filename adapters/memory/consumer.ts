import type { BackoffOptions, DeliveryContext, MessageHandler } from "../core/message-broker.js";
import type { Envelope } from "./envelope.js";

/** One message in one subscription: how often it was delivered and where it waits. */
export class Entry {
  /** Deliveries so far; the next one is `deliveries + 1`. */
  deliveries = 0;
  /** When a delayed or retried entry becomes ready, epoch ms. */
  dueAt = 0;
  /** Waiting out a retry backoff (as opposed to a publish delay). */
  retrying = false;
  /** Holds its key's turn in an ordered subscription: no later entry of the key runs before it leaves. */
  holdsKey = false;
  /** Already came back once through duplicate injection. */
  duplicated = false;

  constructor(readonly envelope: Envelope) {}
}

/** What a consumer was subscribed with, resolved to defaults. */
export interface ConsumerSettings {
  readonly handler: MessageHandler<unknown>;
  readonly maxConcurrency: number;
  readonly renewLock: boolean;
  readonly backoff: BackoffOptions;
  readonly duplicateRate: number;
  readonly random: () => number;
}

/** One `subscribe()` call: a competing consumer with its own concurrency. */
export class Consumer {
  /** Handlers running now, including ones whose message was already given up. */
  active = 0;
  readonly running = new Set<Attempt>();
  /** Its process "died" (`MemoryBroker.crash()`): what its handlers do from now on counts for nothing. */
  crashed = false;
  private idleWaiter: (() => void) | undefined;

  constructor(readonly settings: ConsumerSettings) {}

  get maxConcurrency(): number {
    return this.settings.maxConcurrency;
  }

  /** Resolves once no handler of this consumer is running. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiter = resolve;
    });
  }

  notifyIdle(): void {
    const waiter = this.idleWaiter;
    this.idleWaiter = undefined;
    waiter?.();
  }
}

/** What an attempt reports back to its subscription. */
export interface AttemptOwner {
  deadLetterFromHandler(attempt: Attempt, reason: string): void;
}

/**
 * One delivery of one entry to one consumer; it is the handler's `DeliveryContext`. Once
 * settled (acked, nacked, dead-lettered, or given up when its lock expired) later outcomes
 * of the same handler call are ignored, as a broker ignores an ack with a stale lock token.
 */
export class Attempt implements DeliveryContext {
  settled = false;
  /** Epoch ms when the lock expires; 0 while the lock is renewed. */
  leaseDeadline = 0;
  private controller: AbortController | undefined;
  private abortReason: string | undefined;

  constructor(
    readonly owner: AttemptOwner,
    readonly consumer: Consumer,
    readonly entry: Entry,
  ) {}

  /** Created on first use: most handlers never read it, and an AbortController per message shows in a profile. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(new Error(this.abortReason));
    }
    return this.controller.signal;
  }

  deadLetter(reason: string): void {
    this.owner.deadLetterFromHandler(this, reason);
  }

  abort(reason: string): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(new Error(reason));
  }
}
