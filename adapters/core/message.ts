/** The envelope every broker adapter delivers, whatever the service underneath. */
export interface Message<T = unknown> {
  /** Unique per logical message; redeliveries keep it, so consumers de-duplicate on it. */
  readonly id: string;
  readonly topic: string;
  /** Ordering key: messages sharing a key keep their order where ordering is declared. */
  readonly key?: string;
  /** String map; carries trace context (`traceparent`) and the correlation id. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON value. */
  readonly body: T;
  /** Delivery count, from 1. */
  readonly attempt: number;
  readonly publishedAt: Date;
}

/** What a publisher hands to `publish`. */
export interface OutgoingMessage<T = unknown> {
  /** Defaults to a random UUID. Reuse it to let a dedupe-capable broker drop the copy. */
  readonly id?: string;
  readonly key?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: T;
  /** Not delivered before this many milliseconds. Needs the `delay` capability. */
  readonly delayMs?: number;
  /** Dropped if not delivered within this many milliseconds. Needs the `ttl` capability. */
  readonly ttlMs?: number;
}

/** A message that reached a dead-letter queue, and why. */
export interface DeadLetter<T = unknown> extends Message<T> {
  readonly reason: string;
}

export interface PublishReceipt {
  readonly id: string;
}

/** Outcome of a batch publish: every entry is either published or failed, by index. */
export interface BatchPublishResult {
  readonly published: readonly { readonly index: number; readonly id: string }[];
  readonly failed: readonly { readonly index: number; readonly id?: string; readonly error: Error }[];
}
