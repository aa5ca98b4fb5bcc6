import { describe, expect, it } from "vitest";
import { TaskflowError } from "../core/errors.js";
import { createNaming, RETRY_TIERS_MS, retryQueue, retryTier, subscriptionQueues } from "./names.js";

describe("rabbitmq naming", () => {
  it("uses the logical names unless the stack mapped them", () => {
    const plain = createNaming();
    expect(plain.exchange("task-events")).toBe("task-events");
    expect(plain.queue("task-events", "notifications")).toBe("task-events.notifications");

    const mapped = createNaming({ "task-events": "tf.task-events" }, { notifications: "tf.notifications.q" });
    expect(mapped.exchange("task-events")).toBe("tf.task-events");
    expect(mapped.queue("task-events", "notifications")).toBe("tf.notifications.q");
    expect(mapped.queue("task-events", "activity")).toBe("tf.task-events.activity");
  });

  it("refuses names that would pass AMQP's 255-byte limit once suffixed", () => {
    const naming = createNaming();
    expect(() => naming.exchange("x".repeat(231))).toThrow(TaskflowError);
    expect(() => naming.queue("t", "é".repeat(120))).toThrow(/longer than 230 bytes/);
    expect(() => naming.exchange("")).toThrow(/empty name/);
    const longest = retryQueue("q".repeat(230), Math.max(...RETRY_TIERS_MS));
    expect(Buffer.byteLength(longest)).toBeLessThanOrEqual(255);
  });

  it("rounds a retry delay up to a tier, never below what the backoff asked", () => {
    expect(retryTier(0)).toBe(25);
    expect(retryTier(200)).toBe(200);
    expect(retryTier(201)).toBe(500);
    expect(retryTier(300)).toBe(500);
    expect(retryTier(1_400)).toBe(2_000);
    expect(retryTier(10_000_000)).toBe(600_000);
    for (const delay of [30, 75, 420, 2_600, 45_000]) {
      const ratio = retryTier(delay) / delay;
      expect(ratio).toBeGreaterThanOrEqual(1);
      expect(ratio).toBeLessThanOrEqual(2.5);
    }
  });

  it("lists every queue a subscription may own, retry tiers included", () => {
    const queues = subscriptionQueues("t.s");
    expect(queues).toContain("t.s");
    expect(queues).toContain("t.s.dlq");
    expect(queues).toContain("t.s.retry.200");
    expect(queues).toHaveLength(2 + RETRY_TIERS_MS.length);
  });
});
