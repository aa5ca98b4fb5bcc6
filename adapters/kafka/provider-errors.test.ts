import { describe, expect, it } from "vitest";
import { MessageTooLargeError, PublishError, TaskflowError, TopicNotFoundError } from "../core/errors.js";
import { FakeKafkaError } from "./fake-client.js";
import { isGroupBusy, isRebalance, mapPublishError, mapSubscriptionError, protocolTypes } from "./provider-errors.js";

describe("kafka error mapping", () => {
  it("finds the protocol error under retry and aggregate wrappers", () => {
    const nested = Object.assign(new Error("retries exceeded"), {
      cause: Object.assign(new Error("aggregate"), { errors: [new FakeKafkaError("ILLEGAL_GENERATION")] }),
    });
    expect(protocolTypes(nested)).toEqual(["ILLEGAL_GENERATION"]);
    expect(isRebalance(nested)).toBe(true);
    expect(isRebalance(new FakeKafkaError("NOT_LEADER_FOR_PARTITION"))).toBe(false);
  });

  it("tells a group with running members from other failures", () => {
    expect(isGroupBusy(new Error("The consumer group must have no running instances, current state: Stable"))).toBe(
      true,
    );
    expect(isGroupBusy(new Error("Connection error"))).toBe(false);
  });

  it("maps publish and subscription failures to typed errors naming what failed", () => {
    expect(mapPublishError("t", new FakeKafkaError("RECORD_LIST_TOO_LARGE"), 10, 5)).toBeInstanceOf(
      MessageTooLargeError,
    );
    expect(mapPublishError("t", new FakeKafkaError("UNKNOWN_TOPIC_OR_PARTITION"), 1, 5)).toBeInstanceOf(
      TopicNotFoundError,
    );
    expect(mapPublishError("t", new Error("boom"), 1, 5)).toBeInstanceOf(PublishError);
    expect(mapSubscriptionError("t", "s", "create", new FakeKafkaError("UNKNOWN_TOPIC_OR_PARTITION"))).toBeInstanceOf(
      TopicNotFoundError,
    );
    const other = mapSubscriptionError("t", "s", "start a consumer of", new Error("SASL authentication failed"));
    expect(other).toBeInstanceOf(TaskflowError);
    expect(other.message).toBe(
      '[taskflow] [kafka] cannot start a consumer of subscription "s" of topic "t": SASL authentication failed',
    );
  });
});
