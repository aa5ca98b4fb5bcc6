import { describe, expect, it } from "vitest";
import { MessageTooLargeError, PublishError, SubscriptionNotFoundError, TopicNotFoundError } from "../core/errors.js";
import { serviceBusError } from "./fake-client.js";
import { isLockLost, isNoSession, mapPublishError, mapSubscriptionError } from "./provider-errors.js";

describe("service bus error mapping", () => {
  it("maps SDK error codes to typed errors", () => {
    expect(mapPublishError("t", serviceBusError("MessagingEntityNotFound"), 1, 5)).toBeInstanceOf(TopicNotFoundError);
    expect(mapPublishError("t", serviceBusError("MessageSizeExceeded"), 10, 5)).toBeInstanceOf(MessageTooLargeError);
    expect(mapPublishError("t", serviceBusError("QuotaExceeded"), 1, 5)).toBeInstanceOf(PublishError);
    const missing = mapSubscriptionError("t", "s", "receive from", serviceBusError("MessagingEntityNotFound"));
    expect(missing).toBeInstanceOf(SubscriptionNotFoundError);
    expect(missing.message).toBe(
      '[taskflow] [azure-service-bus] subscription "s" on topic "t" does not exist and auto-create is off: MessagingEntityNotFound',
    );
  });

  it("tells a lost lock and an empty session wait from real failures", () => {
    expect(isLockLost(serviceBusError("SessionLockLost"))).toBe(true);
    expect(isLockLost(serviceBusError("ServiceBusy"))).toBe(false);
    expect(isNoSession(serviceBusError("ServiceTimeout"))).toBe(true);
    expect(isNoSession(new Error("no code"))).toBe(false);
  });
});
