import { randomUUID } from "node:crypto";
import {
  CreateTopicCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createSnsSqsBroker } from "../../adapters/aws-sns-sqs/index.js";
import { startFauxqs } from "../../scripts/emulators.js";
import { measureInterleaved, type Operation } from "../lib/measure.js";
import {
  Arrivals,
  adapterRoundTrip,
  BENCH_HEADERS,
  type BrokerCase,
  benchBody,
  onEmulator,
  rows,
  withSides,
} from "./case.js";

/**
 * SNS → SQS on fauxqs, started here. One operation is one message published to the topic
 * and seen by the consumer of its queue. The adapter side is `publish()` and `subscribe()`;
 * the raw side is what a careful hand-written client does with the same SDK: one SNS Publish
 * per message with the id and headers as message attributes, long-polling receivers of 10,
 * a JSON parse per message and one DeleteMessageBatch per receive. The adapter sends single
 * publishes made in the same turn as one PublishBatch, which the raw side does not; a second
 * pair of rows compares both publishing batches of 10, where they do the same calls.
 */
const CONCURRENCY = 64;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

async function adapterSide(endpoint: string) {
  const broker = createSnsSqsBroker({ region: "us-east-1", endpoint, credentials, waitTimeSeconds: 1 });
  const { topic, arrivals, subscription, op } = await adapterRoundTrip(broker, "bench-adapter", CONCURRENCY);
  /** Ten messages in one `publishBatch`, all seen. */
  const batchOp: Operation = async (i) => {
    const messages = Array.from({ length: 10 }, (_, j) => ({
      id: randomUUID(),
      headers: BENCH_HEADERS,
      body: benchBody(i * 10 + j),
    }));
    const seen = Promise.all(messages.map((message) => arrivals.expect(message.id)));
    const result = await broker.publishBatch(topic, messages);
    if (result.failed.length > 0) throw result.failed[0]!.error;
    await seen;
  };
  const close = async () => {
    await subscription.close();
    await broker.close();
  };
  return { op, batchOp, close };
}

async function rawSide(endpoint: string) {
  const client = { region: "us-east-1", endpoint, credentials };
  const sns = new SNSClient(client);
  const sqs = new SQSClient(client);
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: "true" },
    }),
  );
  const arrivals = new Arrivals();
  let open = true;
  const poll = async () => {
    while (open) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) continue;
      for (const message of Messages) {
        JSON.parse(message.Body ?? "null");
        arrivals.arrived(message.MessageAttributes?.id?.StringValue ?? "");
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  };
  const pollers = Array.from({ length: Math.ceil(CONCURRENCY / 10) }, poll);
  const attributes = Object.fromEntries(
    Object.entries(BENCH_HEADERS).map(([key, value]) => [key, { DataType: "String", StringValue: value }]),
  );
  const op: Operation = async (i) => {
    const id = randomUUID();
    const seen = arrivals.expect(id);
    await sns.send(
      new PublishCommand({
        TopicArn,
        Message: JSON.stringify(benchBody(i)),
        MessageAttributes: { ...attributes, id: { DataType: "String", StringValue: id } },
      }),
    );
    await seen;
  };
  /** Ten messages in one PublishBatch call, all seen. */
  const batchOp: Operation = async (i) => {
    const ids = Array.from({ length: 10 }, () => randomUUID());
    const seen = Promise.all(ids.map((id) => arrivals.expect(id)));
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: ids.map((id, j) => ({
          Id: String(j),
          Message: JSON.stringify(benchBody(i * 10 + j)),
          MessageAttributes: { ...attributes, id: { DataType: "String", StringValue: id } },
        })),
      }),
    );
    if ((result.Failed ?? []).length > 0) throw new Error(`raw PublishBatch failed: ${result.Failed?.[0]?.Message}`);
    await seen;
  };
  const close = async () => {
    open = false;
    await Promise.allSettled(pollers);
    sns.destroy();
    sqs.destroy();
  };
  return { op, batchOp, close };
}

export const sqsCase: BrokerCase = {
  name: "aws-sns-sqs",
  async run() {
    return onEmulator(startFauxqs, (emulator) =>
      withSides(
        () => adapterSide(emulator.address),
        () => rawSide(emulator.address),
        async (adapter, raw) => {
          const measured = await measureInterleaved(
            { adapter: adapter.op, raw: raw.op },
            { concurrency: CONCURRENCY, opsPerRound: 2_000, rounds: 5 },
          );
          // Batches of 10: both sides send the same PublishBatch calls, so the ratio is the adapter's own cost.
          const batches = await measureInterleaved(
            { adapter: adapter.batchOp, raw: raw.batchOp },
            { concurrency: CONCURRENCY / 8, opsPerRound: 200, rounds: 5 },
          );
          const perMessage = (t: { usPerOp: number; cpuUsPerOp: number }) => ({
            usPerOp: t.usPerOp / 10,
            cpuUsPerOp: t.cpuUsPerOp / 10,
          });
          return [
            ...rows(
              `aws-sns-sqs (fauxqs) publish + consume, ${CONCURRENCY} in flight`,
              "raw SNS Publish per message + SQS receive/delete",
              measured.adapter,
              measured.raw,
            ),
            ...rows(
              `aws-sns-sqs (fauxqs) publishBatch of 10 + consume, ${CONCURRENCY / 8} batches in flight`,
              "raw SNS PublishBatch of 10 + SQS receive/delete",
              perMessage(batches.adapter),
              perMessage(batches.raw),
            ),
          ];
        },
      ),
    );
  },
};
