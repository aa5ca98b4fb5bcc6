import { PublishError, SubscriptionNotFoundError, TaskflowError, TopicNotFoundError } from "../core/errors.js";

export const COMPONENT = "aws-sns-sqs";

const NOT_FOUND = new Set([
  "NotFound",
  "NotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
]);

/** True when SNS or SQS answered that the topic or queue does not exist. */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: string }).Code;
  return NOT_FOUND.has(error.name) || (code !== undefined && NOT_FOUND.has(code));
}

/** A failed SNS publish as one of our typed errors, keeping the SDK error as the cause. */
export function mapPublishError(topic: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isNotFound(error)) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  return new PublishError(COMPONENT, `cannot publish to topic "${topic}"`, { cause: error });
}

/** A failed queue lookup or receive as one of our typed errors. */
export function mapSubscriptionError(topic: string, subscription: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isNotFound(error)) return new SubscriptionNotFoundError(COMPONENT, topic, subscription, { cause: error });
  return new TaskflowError(COMPONENT, `cannot use subscription "${subscription}" of topic "${topic}"`, {
    cause: error,
  });
}

/** A per-entry failure of PublishBatch, which reports a code and message instead of throwing. */
export function batchEntryError(topic: string, code: string | undefined, message: string | undefined): TaskflowError {
  const cause = new Error(`${code ?? "UnknownError"}: ${message ?? "no message"}`);
  cause.name = code ?? "UnknownError";
  return mapPublishError(topic, cause);
}
