import type { BackoffOptions, MessageHandler, SubscribeOptions } from "./message-broker.js";

/** What a pull consumer (SQS receive, Pub/Sub unary pull) tells its loop. */
export interface PullLoopSettings<M> {
  /** Adapter name, for the errors the loop reports. */
  readonly component: string;
  /** Handlers running at once, counting messages asked for and not yet arrived. */
  readonly maxConcurrency: number;
  /** Receives that may wait on the broker at once. */
  readonly pollers: number;
  /** Most messages one receive may ask for. */
  readonly maxPerReceive: number;
  /** Asks the broker for up to `count` messages. A rejection is reported and retried after 1 s. */
  receive(count: number): Promise<M[]>;
  /** What a failed receive is called in the error report, as in `cannot pull from subscription "s"`. */
  readonly receiveFailure: string;
  /** Starts work on received messages; each piece of work is handed to `PullLoop.track`. */
  dispatch(messages: M[]): void;
  /** Returns messages received after close began, so that another consumer gets them at once. */
  giveBack(messages: M[]): Promise<void>;
  /** Runs once every handler has settled: flushes pending acks, tells the broker. */
  afterStop(): Promise<void>;
  readonly onError: (error: Error) => void;
}

/** The subscribe options every pull consumer reads the same way. */
export interface PullConsumerOptions {
  readonly maxConcurrency: number;
  readonly renewLock: boolean;
  readonly backoff: BackoffOptions | undefined;
  readonly onError: (error: Error) => void;
}

/**
 * Defaults of a pull consumer: 10 handlers at once (at least 1), lock renewal on, and
 * background failures reported as process warnings.
 */
export function pullConsumerOptions(options: SubscribeOptions): PullConsumerOptions {
  return {
    maxConcurrency: Math.max(1, options.maxConcurrency ?? 10),
    renewLock: options.renewLock ?? true,
    backoff: options.backoff,
    onError: (error) => process.emitWarning(error.message, "TaskflowBrokerWarning"),
  };
}

/** The outcome of one handler call. */
export interface HandlerOutcome {
  /** Set when the handler called `deadLetter(reason)`; the first reason wins. */
  readonly reason: string | undefined;
  readonly failed: boolean;
  readonly failure: unknown;
}

/**
 * The receive loop and slot accounting shared by the pull consumers. A receive asks for as
 * many messages as there are free slots, and waits for a few slots rather than asking for
 * one at a time; `close()` lets a receive in progress finish (cancelling it would leave its
 * messages hidden for a whole lock time), gives back what it brought, then waits for every
 * running handler.
 */
export class PullLoop<M> {
  private readonly abort = new AbortController();
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

  constructor(private readonly settings: PullLoopSettings<M>) {
    this.batchFloor = Math.min(10, Math.max(1, Math.floor(settings.maxConcurrency / 4)));
  }

  /** Aborted once `close()` is called. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  start(): void {
    this.pollers = Array.from({ length: this.settings.pollers }, () => this.poll());
  }

  /** Stops receiving, waits for the receives and handlers in progress, then `afterStop`. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      for (const wake of this.slotWaiters.splice(0)) wake();
      await Promise.allSettled(this.pollers);
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      await this.settings.afterStop();
    })();
    return this.closing;
  }

  /** Holds a slot until `work` settles; an unexpected rejection is reported, not thrown. */
  track(work: Promise<unknown>): void {
    const done: Promise<void> = work
      .then(() => undefined)
      .catch((error: unknown) => this.settings.onError(this.error("a delivery failed unexpectedly", error)))
      .finally(() => {
        this.running.delete(done);
        this.slotWaiters.shift()?.();
      });
    this.running.add(done);
  }

  /**
   * Runs the handler with `delivery`'s signal, which also aborts when the loop closes, and
   * reports how it ended.
   */
  async runHandler<T>(
    handler: MessageHandler<T>,
    message: Parameters<MessageHandler<T>>[0],
    delivery: AbortController,
  ): Promise<HandlerOutcome> {
    const stopOnClose = () => delivery.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener("abort", stopOnClose, { once: true });
    let reason: string | undefined;
    try {
      await handler(message, {
        deadLetter: (why) => {
          reason ??= why;
        },
        signal: delivery.signal,
      });
      return { reason, failed: false, failure: undefined };
    } catch (error) {
      return { reason, failed: true, failure: error };
    } finally {
      this.abort.signal.removeEventListener("abort", stopOnClose);
    }
  }

  /** Waits `ms`, or less when the loop stops meanwhile. */
  sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
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

  /** An error for background reports, named like every other adapter error. */
  error(what: string, cause: unknown): Error {
    return new Error(`[taskflow] [${this.settings.component}] ${what}: ${describeError(cause)}`, { cause });
  }

  private async poll(): Promise<void> {
    const { maxConcurrency, maxPerReceive } = this.settings;
    while (!this.closed) {
      const busy = this.running.size + this.reserved;
      const free = maxConcurrency - busy;
      // Waiting for a few free slots makes fewer, fuller receives, which cost less on both ends.
      if (free <= 0 || (free < this.batchFloor && busy > 0)) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const count = Math.min(maxPerReceive, free);
      this.reserved += count;
      let messages: M[] = [];
      try {
        messages = await this.settings.receive(count);
      } catch (error) {
        if (!this.closed) {
          this.settings.onError(this.error(this.settings.receiveFailure, error));
          await this.sleep(1_000);
        }
      } finally {
        this.reserved -= count;
      }
      if (this.closed) {
        await this.settings.giveBack(messages);
        return;
      }
      this.settings.dispatch(messages);
    }
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
