import { describe, expect, it } from "vitest";
import { deadLetterId, parsePath, subscriptionId, subscriptionPath, topicId, topicPath } from "./names.js";

describe("Pub/Sub resource ids", () => {
  it("keeps valid names and adds the prefix", () => {
    expect(topicId("prod-", "task-events")).toBe("prod-task-events");
    expect(subscriptionId("", "task-events", "tasks-activity")).toBe("task-events__tasks-activity");
    expect(deadLetterId("task-events__tasks-activity")).toBe("task-events__tasks-activity-dlq");
  });

  it("fixes ids Pub/Sub refuses: leading digit, goog prefix, too short, bad characters", () => {
    expect(topicId("", "1orders")).toBe("tf-1orders");
    expect(topicId("", "google-events")).toBe("tf-google-events");
    expect(topicId("", "ab")).toBe("ab-");
    expect(topicId("", "a/b c")).toBe("a-b-c");
  });

  it("cuts long ids with a hash, leaving room for the dead-letter suffix", () => {
    const a = subscriptionId("", "t".repeat(200), `a${"s".repeat(100)}`);
    const b = subscriptionId("", "t".repeat(200), `b${"s".repeat(100)}`);
    expect(a).not.toBe(b);
    expect(deadLetterId(a).length).toBeLessThanOrEqual(255);
    expect(topicId("", "x".repeat(300))).toHaveLength(255);
  });

  it("builds and parses full resource names", () => {
    expect(topicPath("p1", "t")).toBe("projects/p1/topics/t");
    expect(parsePath(subscriptionPath("p1", "s"))).toEqual({ project: "p1", id: "s" });
    expect(() => parsePath("topics/t")).toThrow(/not a Pub\/Sub resource name/);
  });
});
