import { describe, expect, it } from "vitest";
import { PublishError, SubscriptionNotFoundError, TopicNotFoundError } from "../core/errors.js";
import { batchEntryError, isNotFound, mapPublishError, mapSubscriptionError } from "./provider-errors.js";

const sdkError = (name: string, message = "boom") => Object.assign(new Error(message), { name });

describe("SNS/SQS error mapping", () => {
  it("turns a missing topic into TopicNotFoundError with the SDK error as cause", () => {
    const cause = sdkError("NotFoundException", "Topic does not exist");
    const error = mapPublishError("orders", cause);
    expect(error).toBeInstanceOf(TopicNotFoundError);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('[taskflow] [aws-sns-sqs] topic "orders"');
  });

  it("turns other failures into PublishError naming the topic and the cause", () => {
    const error = mapPublishError("orders", sdkError("ThrottledException", "Rate exceeded"));
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).toBe('[taskflow] [aws-sns-sqs] cannot publish to topic "orders": Rate exceeded');
  });

  it("recognises both the JSON and the query-protocol names of a missing queue", () => {
    expect(isNotFound(sdkError("QueueDoesNotExist"))).toBe(true);
    expect(isNotFound(Object.assign(new Error("x"), { Code: "AWS.SimpleQueueService.NonExistentQueue" }))).toBe(true);
    expect(isNotFound(sdkError("InvalidParameterValue"))).toBe(false);
    expect(mapSubscriptionError("t", "s", sdkError("QueueDoesNotExist"))).toBeInstanceOf(SubscriptionNotFoundError);
  });

  it("maps a failed batch entry by its code", () => {
    expect(batchEntryError("t", "NotFound", "gone")).toBeInstanceOf(TopicNotFoundError);
    const other = batchEntryError("t", "InvalidParameter", "bad attribute");
    expect(other).toBeInstanceOf(PublishError);
    expect(other.message).toContain("InvalidParameter: bad attribute");
  });
});
