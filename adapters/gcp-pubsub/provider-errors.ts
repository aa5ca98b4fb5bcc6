import { PublishError, SubscriptionNotFoundError, TaskflowError, TopicNotFoundError } from "../core/errors.js";

export const COMPONENT = "gcp-pubsub";

/** gRPC status codes Pub/Sub answers with. */
export const GRPC = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, CANCELLED: 1 } as const;

export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

export function mapPublishError(topic: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (grpcCode(error) === GRPC.NOT_FOUND) return new TopicNotFoundError(COMPONENT, topic, { cause: error });
  return new PublishError(COMPONENT, `cannot publish to topic "${topic}"`, { cause: error });
}

export function mapSubscriptionError(topic: string, subscription: string, error: unknown): TaskflowError {
  if (error instanceof TaskflowError) return error;
  if (grpcCode(error) === GRPC.NOT_FOUND) {
    return new SubscriptionNotFoundError(COMPONENT, topic, subscription, { cause: error });
  }
  return new TaskflowError(COMPONENT, `cannot use subscription "${subscription}" of topic "${topic}"`, {
    cause: error,
  });
}
