import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { readSnsSqsConfig } from "./config.js";

describe("SNS/SQS config", () => {
  it("defaults to us-east-1, standard queues and auto-create when no names are mapped", () => {
    expect(readSnsSqsConfig({})).toMatchObject({ region: "us-east-1", fifo: false, autoCreate: true, namePrefix: "" });
  });

  it("uses dummy credentials only against an emulator endpoint", () => {
    expect(readSnsSqsConfig({ AWS_ENDPOINT_URL: "http://127.0.0.1:4566" }).credentials).toEqual({
      accessKeyId: "test",
      secretAccessKey: "test",
    });
    expect(readSnsSqsConfig({ AWS_REGION: "eu-west-1" }).credentials).toBeUndefined();
  });

  it("turns auto-create off when the stacks hand over ARNs and queue URLs", () => {
    const config = readSnsSqsConfig({
      SNS_SQS_FIFO: "true",
      BROKER_TOPICS: '{"task-events":"arn:aws:sns:eu-west-1:1:task-events.fifo"}',
      BROKER_SUBSCRIPTIONS: '{"tasks-activity":"https://sqs.eu-west-1.amazonaws.com/1/q.fifo"}',
    });
    expect(config).toMatchObject({ fifo: true, autoCreate: false });
    expect(config.topics?.["task-events"]).toBe("arn:aws:sns:eu-west-1:1:task-events.fifo");
  });

  it("reports every bad setting at once, by name", () => {
    try {
      readSnsSqsConfig({ AWS_ENDPOINT_URL: "not a url", SNS_SQS_FIFO: "yes", SNS_SQS_NAME_PREFIX: "a b" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("AWS_ENDPOINT_URL");
      expect(problems).toContain("SNS_SQS_FIFO");
      expect(problems).toContain("SNS_SQS_NAME_PREFIX");
    }
  });
});
