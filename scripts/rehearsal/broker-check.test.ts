import { describe, expect, it } from "vitest";
import { missingBrokerEntities } from "./broker-check.js";

describe("the rehearsal's broker check", () => {
  const served = new Set(["arn:aws:sns:eu-west-1:000000000000:task-events.fifo", "https://sqs/000000000000/a.fifo"]);

  it("passes when every topic and subscription a service opens is one the graph created", () => {
    const env = {
      BROKER_TOPICS: JSON.stringify({ "task-events": "arn:aws:sns:eu-west-1:000000000000:task-events.fifo" }),
      BROKER_SUBSCRIPTIONS: JSON.stringify({ a: "https://sqs/000000000000/a.fifo" }),
    };
    expect(missingBrokerEntities("tasks", env, served)).toEqual([]);
  });

  it("names each queue the graph lacks instead of creating it", () => {
    const env = { BROKER_SUBSCRIPTIONS: JSON.stringify({ b: "https://sqs/000000000000/b.fifo" }) };
    expect(missingBrokerEntities("tasks", env, served)).toEqual([
      "tasks's BROKER_SUBSCRIPTIONS names b at https://sqs/000000000000/b.fifo",
    ]);
  });
});
