/**
 * What an adapter declares it can do. The shared contract suite reads these: a test whose
 * capability is not declared is skipped by name, and the adapter must then refuse the
 * feature with `UnsupportedFeatureError`.
 */
export interface BrokerCapabilities {
  /** Per-key ordering: messages with the same `key` are delivered in publish order. */
  readonly ordering: boolean;
  /** Publishing the same message id twice within the window delivers it once. */
  readonly dedupe: boolean;
  /** Per-message time to live (`ttlMs` on publish). */
  readonly ttl: boolean;
  /** Delayed delivery (`delayMs` on publish). */
  readonly delay: boolean;
  /** A handler that stalls past `lockMs` loses the message, which is redelivered. */
  readonly visibilityTimeout: boolean;
  /** The lock is renewed while a handler runs, so a long handler processes once. */
  readonly lockRenewal: boolean;
  /** A subscription created after a publish still receives it (a log, as in Kafka). */
  readonly historyReplay: boolean;
  /** Topics and subscriptions can be created and checked at run time. */
  readonly management: boolean;
  /** Largest message, as measured by `messageSize()`, that the adapter accepts. */
  readonly maxMessageBytes: number;
  /** Most headers on one message. */
  readonly maxHeaders: number;
  /** Most messages one batch publish sends in a single call to the service. */
  readonly maxBatchSize: number;
}

export interface CacheCapabilities {
  /** Keys are spread over cluster slots; multi-key commands are split per slot. */
  readonly cluster: boolean;
  /** Largest serialized value the cache accepts, in bytes. */
  readonly maxValueBytes: number;
}
