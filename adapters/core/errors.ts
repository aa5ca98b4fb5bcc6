/**
 * Typed errors shared by every adapter. Each names the component that failed and what it
 * was doing, and keeps the underlying error as `cause`, so a log line reads like
 * `[taskflow] [redis] cannot read key "x": connect ECONNREFUSED`.
 */

export interface TaskflowErrorOptions {
  cause?: unknown;
}

export class TaskflowError extends Error {
  /** Which part failed: an adapter name ("redis", "memory") or "config", "select". */
  readonly component: string;

  constructor(component: string, message: string, options: TaskflowErrorOptions = {}) {
    const causeText = describeCause(options.cause);
    super(`[taskflow] [${component}] ${message}${causeText ? `: ${causeText}` : ""}`, {
      cause: options.cause,
    });
    this.name = new.target.name;
    this.component = component;
  }
}

function describeCause(cause: unknown): string {
  if (cause === undefined || cause === null) return "";
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** A feature the adapter does not declare in its capabilities was asked for. */
export class UnsupportedFeatureError extends TaskflowError {
  readonly feature: string;
  constructor(component: string, feature: string, hint?: string) {
    super(component, `does not support ${feature}${hint ? ` (${hint})` : ""}`);
    this.feature = feature;
  }
}

/** Raised before any network call when a message exceeds the adapter's limit. */
export class MessageTooLargeError extends TaskflowError {
  readonly size: number;
  readonly limit: number;
  constructor(component: string, size: number, limit: number) {
    super(component, `message of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.size = size;
    this.limit = limit;
  }
}

/** Headers that break the adapter's rules: too many, non-string values, reserved names. */
export class InvalidHeadersError extends TaskflowError {}

/** Publishing to a topic that does not exist while auto-create is off. */
export class TopicNotFoundError extends TaskflowError {
  readonly topic: string;
  constructor(component: string, topic: string, options: TaskflowErrorOptions = {}) {
    super(component, `topic "${topic}" does not exist and auto-create is off`, options);
    this.topic = topic;
  }
}

/** Subscribing to a subscription that does not exist while auto-create is off. */
export class SubscriptionNotFoundError extends TaskflowError {
  readonly subscription: string;
  constructor(component: string, topic: string, subscription: string, options: TaskflowErrorOptions = {}) {
    super(
      component,
      `subscription "${subscription}" on topic "${topic}" does not exist and auto-create is off`,
      options,
    );
    this.subscription = subscription;
  }
}

/** A publish that the broker did not acknowledge. */
export class PublishError extends TaskflowError {}

/** The cache server cannot be reached or did not answer within the command timeout. */
export class CacheUnavailableError extends TaskflowError {}

/** A TTL that is not a positive finite number of milliseconds. */
export class InvalidTtlError extends TaskflowError {
  constructor(component: string, ttlMs: unknown) {
    super(component, `TTL must be a positive finite number of milliseconds, got ${String(ttlMs)}`);
  }
}

/** A value the cache codec cannot store (a function, a symbol, a circular structure). */
export class SerializationError extends TaskflowError {}

/** Any call on an adapter after `close()`. */
export class ClosedError extends TaskflowError {
  constructor(component: string, what: string) {
    super(component, `cannot ${what}: the adapter is closed`);
  }
}

/** One or more configuration problems, all reported together. */
export class ConfigError extends TaskflowError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("config", `invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}
