import {
  MessageTooLargeError,
  PublishError,
  SubscriptionNotFoundError,
  TaskflowError,
  TopicNotFoundError,
} from "../core/errors.js";

export const COMPONENT = "azure-service-bus";

/** The SDK's `ServiceBusError.code` (or the AMQP `MessagingError.code`), if the error has one. */
export function serviceBusCode(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

export const isEntityMissing = (error: unknown) => serviceBusCode(error) === "MessagingEntityNotFound";
export const isAlreadyThere = (error: unknown) => serviceBusCode(error) === "MessagingEntityAlreadyExists";
/** The message or session went back to the queue; it will be delivered again. */
export const isLockLost = (error: unknown) => {
  const code = serviceBusCode(error);
  return code === "MessageLockLost" || code === "SessionLockLost";
};
/** No session was free to take within the wait: try again, nothing is wrong. */
export const isNoSession = (error: unknown) => {
  const code = serviceBusCode(error);
  return code === "ServiceTimeout" || code === "SessionCannotBeLocked" || code === "OperationTimeoutError";
};

export function mapPublishError(topic: string, error: unknown, size: number, limit: number): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isEntityMissing(error)) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  if (serviceBusCode(error) === "MessageSizeExceeded") return new MessageTooLargeError(COMPONENT, size, limit);
  return new PublishError(COMPONENT, `cannot publish to topic "${topic}"`, { cause: error });
}

export function mapSubscriptionError(topic: string, subscription: string, what: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (isEntityMissing(error)) return new SubscriptionNotFoundError(COMPONENT, topic, subscription, { cause: error });
  return new TaskflowError(COMPONENT, `cannot ${what} subscription "${subscription}" of topic "${topic}"`, {
    cause: error,
  });
}

export function mapAdminError(what: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  return new TaskflowError(COMPONENT, `cannot ${what}`, { cause: error });
}
