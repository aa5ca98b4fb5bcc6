import { MessageTooLargeError, PublishError, TaskflowError, TopicNotFoundError } from "../core/errors.js";

export const COMPONENT = "kafka";

/**
 * kafkajs wraps the broker's answer: retries end in `KafkaJSNumberOfRetriesExceeded` with the
 * last error as `cause`, and a send to several brokers fails with `KafkaJSAggregateError`
 * listing each. The protocol error's `type` is the Kafka error name.
 */
export function protocolTypes(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || typeof error !== "object" || seen.has(error)) return [];
  seen.add(error);
  const found: string[] = [];
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  if (typeof type === "string") found.push(type);
  found.push(...protocolTypes(cause, seen));
  if (Array.isArray(errors)) for (const inner of errors) found.push(...protocolTypes(inner, seen));
  return found;
}

const has = (error: unknown, ...types: string[]) => protocolTypes(error).some((type) => types.includes(type));

export const isTopicMissing = (error: unknown) => has(error, "UNKNOWN_TOPIC_OR_PARTITION");
export const isTopicAlreadyThere = (error: unknown) => has(error, "TOPIC_ALREADY_EXISTS");
export const isTooLarge = (error: unknown) => has(error, "MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE");
/** The group moved on (rebalance, eviction): this member no longer owns its partitions. */
export const isRebalance = (error: unknown) =>
  has(error, "REBALANCE_IN_PROGRESS", "ILLEGAL_GENERATION", "UNKNOWN_MEMBER_ID", "FENCED_INSTANCE_ID");
/** The group has members, so its offsets cannot be set from outside; someone else created it. */
export const isGroupBusy = (error: unknown) =>
  has(error, "UNKNOWN_MEMBER_ID", "REBALANCE_IN_PROGRESS") ||
  (error instanceof Error && /no running instances/i.test(error.message));

/** A failed produce as one of our typed errors, keeping the kafkajs error as the cause. */
export function mapPublishError(topic: string, error: unknown, size: number, limit: number): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isTopicMissing(error)) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  if (isTooLarge(error)) return new MessageTooLargeError(COMPONENT, size, limit);
  return new PublishError(COMPONENT, `cannot publish to topic "${topic}"`, { cause: error });
}

/** A failed admin or consumer call about a subscription as one of our typed errors. */
export function mapSubscriptionError(topic: string, subscription: string, what: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isTopicMissing(error)) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  return new TaskflowError(COMPONENT, `cannot ${what} subscription "${subscription}" of topic "${topic}"`, {
    cause: error,
  });
}

export function mapAdminError(what: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  return new TaskflowError(COMPONENT, `cannot ${what}`, { cause: error });
}
