import { DeleteTopicCommand, ListTopicsCommand, type ListTopicsCommandOutput, SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type ListQueuesCommandOutput,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { parseAddress } from "../../scripts/test-servers.js";
import { serverGate } from "../testing/servers.js";
import type { SnsSqsBrokerOptions } from "./config.js";
import { deadLetterQueueName, nameFromArn } from "./names.js";

/** The emulator the vitest global setup started, or the one `AWS_ENDPOINT_URL` names. */
export const TEST_ENDPOINT = process.env.AWS_ENDPOINT_URL;

export function snsSqsGate(): Promise<string | undefined> {
  return serverGate(
    "SNS/SQS emulator (fauxqs)",
    parseAddress(TEST_ENDPOINT),
    "run through vitest, whose global setup starts fauxqs, or set AWS_ENDPOINT_URL to a running emulator",
  );
}

/** Options for a test client; `namePrefix` keeps one run's topics and queues apart from others'. */
export function testOptions(namePrefix: string, overrides: Partial<SnsSqsBrokerOptions> = {}): SnsSqsBrokerOptions {
  return {
    region: "us-east-1",
    endpoint: TEST_ENDPOINT,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    namePrefix,
    waitTimeSeconds: 1,
    ...overrides,
  };
}

/**
 * Deletes a subscription's dead-letter queue, so the adapter's writes to it fail, as a queue
 * removed by hand or a missing permission would make them; the repair creates it again.
 */
export function breakDeadLetterQueue(options: SnsSqsBrokerOptions) {
  return async (_broker: unknown, topic: string, subscription: string): Promise<() => Promise<void>> => {
    const fifo = options.fifo ?? false;
    const name = deadLetterQueueName(options.namePrefix ?? "", topic, subscription, fifo);
    const sqs = new SQSClient({ region: options.region, endpoint: options.endpoint, credentials: options.credentials });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    return async () => {
      try {
        await sqs.send(
          new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: "true" } : undefined }),
        );
      } finally {
        sqs.destroy();
      }
    };
  };
}

/** Deletes every queue and topic whose name starts with `prefix`, so an emulator that outlives the run stays clean. */
export async function deleteByPrefix(prefix: string): Promise<void> {
  const client = { region: "us-east-1", endpoint: TEST_ENDPOINT, credentials: testOptions(prefix).credentials };
  const sqs = new SQSClient(client);
  const sns = new SNSClient(client);
  try {
    let next: string | undefined;
    do {
      const page: ListQueuesCommandOutput = await sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: prefix, NextToken: next }),
      );
      await Promise.all((page.QueueUrls ?? []).map((url) => sqs.send(new DeleteQueueCommand({ QueueUrl: url }))));
      next = page.NextToken;
    } while (next);
    next = undefined;
    do {
      const page: ListTopicsCommandOutput = await sns.send(new ListTopicsCommand({ NextToken: next }));
      const ours = (page.Topics ?? []).filter(
        (topic) => topic.TopicArn && nameFromArn(topic.TopicArn).startsWith(prefix),
      );
      await Promise.all(ours.map((topic) => sns.send(new DeleteTopicCommand({ TopicArn: topic.TopicArn }))));
      next = page.NextToken;
    } while (next);
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}
