import {
  ClosedError,
  InvalidHeadersError,
  PublishError,
  SubscriptionNotFoundError,
  TaskflowError,
  TopicNotFoundError,
} from "../core/errors.js";
import { COMPONENT } from "./names.js";

/** AMQP reply codes the adapter tells apart (amqplib puts them on `error.code`). */
export const REPLY = { notFound: 404, preconditionFailed: 406, accessRefused: 403, resourceLocked: 405 } as const;

export function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** The URL with its password hidden, for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * A failed publish as a typed error: a missing exchange, an unencodable header table, a closed
 * adapter, or else `PublishError`, which tells the caller the publish may be retried (no
 * connection within the bound, no confirm, a channel lost before its confirm).
 */
export function publishFailure(topic: string, error: unknown): TaskflowError {
  const final = [TopicNotFoundError, InvalidHeadersError, ClosedError, PublishError];
  if (final.some((type) => error instanceof type)) return error as TaskflowError;
  if (replyCode(error) === REPLY.notFound) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  if (error instanceof RangeError) {
    return new InvalidHeadersError(COMPONENT, `cannot encode the message for topic "${topic}"`, { cause: error });
  }
  return new PublishError(COMPONENT, `cannot publish to topic "${topic}"; the publish may be retried`, {
    cause: error,
  });
}

/** A failed topology call (declare, bind, check) as a typed error naming what it was doing. */
export function topologyFailure(what: string, error: unknown, topic?: string, subscription?: string): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (replyCode(error) === REPLY.notFound && topic !== undefined) {
    return subscription === undefined
      ? new TopicNotFoundError(COMPONENT, topic, { cause: error })
      : new SubscriptionNotFoundError(COMPONENT, topic, subscription, { cause: error });
  }
  if (replyCode(error) === REPLY.preconditionFailed) {
    return new TaskflowError(COMPONENT, `cannot ${what}: it exists with different settings`, { cause: error });
  }
  return new TaskflowError(COMPONENT, `cannot ${what}`, { cause: error });
}
