import { describe, expect, it } from "vitest";
import { deadLetterQueueName, nameFromArn, nameFromQueueUrl, queueName, topicName } from "./names.js";

describe("SNS/SQS physical names", () => {
  it("keeps a valid logical name and adds the prefix", () => {
    expect(topicName("prod-", "task-events", false)).toBe("prod-task-events");
    expect(queueName("", "task-events", "tasks-activity", false)).toBe("task-events__tasks-activity");
  });

  it("replaces characters SNS and SQS refuse", () => {
    expect(topicName("", "tasks.v2/events é", false)).toBe("tasks-v2-events--");
  });

  it("ends FIFO names and their DLQs in .fifo", () => {
    expect(topicName("", "task-events", true)).toBe("task-events.fifo");
    expect(queueName("", "t", "s", true)).toBe("t__s.fifo");
    expect(deadLetterQueueName("", "t", "s", true)).toBe("t__s-dlq.fifo");
    expect(deadLetterQueueName("", "t", "s", false)).toBe("t__s-dlq");
  });

  it("keeps queue names within 80 characters and distinct when cut", () => {
    const long = "x".repeat(120);
    const a = queueName("", long, "sub-a", true);
    const b = queueName("", long, "sub-b", true);
    const dlq = deadLetterQueueName("", long, "sub-a", true);
    for (const name of [a, b, dlq]) expect(name.length).toBeLessThanOrEqual(80);
    expect(a).not.toBe(b);
    expect(a.endsWith(".fifo")).toBe(true);
    expect(dlq.endsWith("-dlq.fifo")).toBe(true);
    expect(topicName("", "y".repeat(300), false).length).toBe(256);
  });

  it("reads names back from ARNs and queue URLs", () => {
    expect(nameFromArn("arn:aws:sqs:us-east-1:000000000000:q-dlq.fifo")).toBe("q-dlq.fifo");
    expect(nameFromQueueUrl("http://sqs.us-east-1.localhost:4566/000000000000/q1")).toBe("q1");
  });
});
