/** The SQS access policy that lets exactly one SNS topic deliver into a queue. */
export function topicSendPolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "topic-delivers",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      },
    ],
  });
}

/** The redrive policy: after `maxReceiveCount` receives SQS moves the message to the DLQ. */
export function redrivePolicy(deadLetterArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount });
}

/** A sibling's ARN: same partition, region and account, another name. */
export function siblingArn(arn: string, name: string): string {
  return `${arn.slice(0, arn.lastIndexOf(":") + 1)}${name}`;
}
