import { describe, expect, it } from "vitest";
import { redrivePolicy, siblingArn, topicSendPolicy } from "./queue-policy.js";

describe("SQS queue policies", () => {
  it("allows only the given topic to send into the queue", () => {
    const policy = JSON.parse(topicSendPolicy("arn:aws:sqs:us-east-1:1:q", "arn:aws:sns:us-east-1:1:t"));
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: "arn:aws:sqs:us-east-1:1:q",
      Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:1:t" } },
    });
  });

  it("redrives to the DLQ after maxAttempts receives", () => {
    expect(JSON.parse(redrivePolicy("arn:aws:sqs:us-east-1:1:q-dlq", 3))).toEqual({
      deadLetterTargetArn: "arn:aws:sqs:us-east-1:1:q-dlq",
      maxReceiveCount: 3,
    });
  });

  it("derives the queue ARN from its DLQ's", () => {
    expect(siblingArn("arn:aws:sqs:eu-west-1:123:a__b-dlq.fifo", "a__b.fifo")).toBe(
      "arn:aws:sqs:eu-west-1:123:a__b.fifo",
    );
  });
});
