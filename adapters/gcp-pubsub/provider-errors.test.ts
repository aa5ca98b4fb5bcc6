import { describe, expect, it } from "vitest";
import { PublishError, SubscriptionNotFoundError, TaskflowError, TopicNotFoundError } from "../core/errors.js";
import { grpcCode, mapPublishError, mapSubscriptionError } from "./provider-errors.js";

const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe("Pub/Sub error mapping", () => {
  it("maps NOT_FOUND on publish to TopicNotFoundError, keeping the cause", () => {
    const cause = grpcError(5, "5 NOT_FOUND: Topic not found");
    const error = mapPublishError("orders", cause);
    expect(error).toBeInstanceOf(TopicNotFoundError);
    expect(error.cause).toBe(cause);
  });

  it("maps other publish failures to PublishError naming the topic", () => {
    const error = mapPublishError("orders", grpcError(14, "14 UNAVAILABLE: connect ECONNREFUSED"));
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toBe(
      '[taskflow] [gcp-pubsub] cannot publish to topic "orders": 14 UNAVAILABLE: connect ECONNREFUSED',
    );
  });

  it("maps a missing subscription, and leaves our own errors alone", () => {
    expect(mapSubscriptionError("t", "s", grpcError(5, "gone"))).toBeInstanceOf(SubscriptionNotFoundError);
    const ours = new TaskflowError("gcp-pubsub", "already typed");
    expect(mapSubscriptionError("t", "s", ours)).toBe(ours);
    expect(grpcCode(new Error("no code"))).toBeUndefined();
  });
});
