import type { DeadLetter, Message } from "../core/message.js";
import type { IMessageBroker } from "../core/message-broker.js";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every few milliseconds; fails naming `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      const described = typeof what === "string" ? what : what();
      throw new Error(`[taskflow] [tests] timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await sleep(5);
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * What a test's handler received. `all` keeps every delivery, duplicates included (for tests
 * about duplicates); `byId` keeps the first delivery of each message id, which is what the
 * other tests assert on, because delivery is at least once.
 */
export class Received<T = unknown> {
  readonly all: Message<T>[] = [];
  readonly byId = new Map<string, Message<T>>();
  /** Epoch ms of each message id's first delivery. */
  readonly firstSeenAt = new Map<string, number>();

  record(message: Message<T>): void {
    this.all.push(message);
    if (!this.byId.has(message.id)) {
      this.byId.set(message.id, message);
      this.firstSeenAt.set(message.id, Date.now());
    }
  }

  /** A handler that only records. */
  readonly handler = (message: Message<T>): void => {
    this.record(message);
  };

  get unique(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Deliveries of one id, duplicates included. */
  deliveriesOf(id: string): Message<T>[] {
    return this.all.filter((message) => message.id === id);
  }

  ids(): Set<string> {
    return new Set(this.byId.keys());
  }

  waitForCount(count: number, timeoutMs: number, what = `${count} distinct messages`): Promise<void> {
    return until(
      () => this.byId.size >= count,
      timeoutMs,
      () => `${what} (have ${this.byId.size})`,
    );
  }

  waitForIds(ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const wanted = [...ids];
    return until(
      () => wanted.every((id) => this.byId.has(id)),
      timeoutMs,
      () => {
        const missing = wanted.filter((id) => !this.byId.has(id));
        return `${missing.length} missing messages, e.g. ${missing.slice(0, 3).join(", ")}`;
      },
    );
  }
}

/** Reads dead letters until `count` arrived or the time is up. */
export async function collectDeadLetters(
  broker: IMessageBroker,
  topic: string,
  subscription: string,
  count: number,
  timeoutMs: number,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  const deadline = Date.now() + timeoutMs;
  while (letters.length < count && Date.now() < deadline) {
    letters.push(...(await broker.receiveDeadLetters(topic, subscription, { max: count, waitMs: 200 })));
  }
  return letters;
}

/** Fails every poison message (`body.poison`), noting when it came, and records the rest as handled. */
export function poisonAwareHandler(
  poisonAt: number[],
  good: Received,
): (message: Message<{ poison?: boolean }>) => void {
  return (message) => {
    if (message.body.poison) {
      poisonAt.push(Date.now());
      throw new Error("cannot parse the order");
    }
    good.record(message);
  };
}
