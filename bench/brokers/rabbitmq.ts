import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { createRabbitMqBroker } from "../../adapters/rabbitmq/index.js";
import { measureInterleaved, type Operation, type Throughput } from "../lib/measure.js";
import type { BenchResult } from "../lib/report.js";

/**
 * Publish + consume through the RabbitMQ adapter against raw amqplib doing the same work in
 * the same run: a durable topic exchange and queue, a persistent JSON message with an id and
 * headers, a publisher confirm awaited per message, a consumer with the same prefetch that
 * parses and acks. One operation is one message published and seen by its consumer.
 */
export interface RabbitMqCaseOptions {
  readonly url: string;
  /** Messages in flight at once. @default 64 */
  readonly concurrency?: number;
  /** @default 2_000 */
  readonly opsPerRound?: number;
  /** @default 7 */
  readonly rounds?: number;
}

export interface RabbitMqCaseResult {
  readonly adapter: Throughput;
  readonly raw: Throughput;
  /** Wall-clock and client-CPU rows, each with raw amqplib as its baseline (ratio = adapter / raw). */
  readonly results: readonly BenchResult[];
}

const HEADERS = { traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`, "x-correlation-id": "bench" };
const body = (i: number) => ({ i, kind: "task.updated", data: { title: `task ${i}`, tags: ["a", "b"] } });

/** Resolves the wait of each message id when its consumer sees it. */
class Arrivals {
  private readonly waiting = new Map<string, () => void>();
  expect(id: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }
  arrived(id: string): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.();
  }
}

async function adapterSide(url: string, concurrency: number) {
  const broker = await createRabbitMqBroker({ url });
  const topic = `tf-bench-adapter-${randomUUID().slice(0, 8)}`;
  const arrivals = new Arrivals();
  const subscription = await broker.subscribe(topic, "bench", (message) => arrivals.arrived(message.id), {
    maxConcurrency: concurrency,
  });
  const op: Operation = async (i) => {
    const id = randomUUID();
    const seen = arrivals.expect(id);
    await broker.publish(topic, { id, headers: HEADERS, body: body(i) });
    await seen;
  };
  const close = async () => {
    await subscription.close();
    await broker.deleteSubscription(topic, "bench");
    await broker.deleteTopic(topic);
    await broker.close();
  };
  return { op, close };
}

async function rawSide(url: string, concurrency: number) {
  const connection = await connect(url);
  const exchange = `tf-bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = `${exchange}.bench`;
  const publisher = await connection.createConfirmChannel();
  const consumer = await connection.createChannel();
  await publisher.assertExchange(exchange, "topic", { durable: true });
  await publisher.assertQueue(queue, { durable: true });
  await publisher.bindQueue(queue, exchange, "#");
  await consumer.prefetch(concurrency);
  const arrivals = new Arrivals();
  await consumer.consume(queue, (delivery) => {
    if (!delivery) return;
    JSON.parse(delivery.content.toString("utf8"));
    arrivals.arrived(delivery.properties.messageId as string);
    consumer.ack(delivery);
  });
  const op: Operation = async (i) => {
    const id = randomUUID();
    const seen = arrivals.expect(id);
    const content = Buffer.from(JSON.stringify(body(i)), "utf8");
    await new Promise<void>((resolve, reject) => {
      publisher.publish(
        exchange,
        "",
        content,
        { messageId: id, persistent: true, contentType: "application/json", headers: HEADERS },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    await seen;
  };
  const close = async () => {
    await publisher.deleteQueue(queue);
    await publisher.deleteExchange(exchange);
    await connection.close();
  };
  return { op, close };
}

export async function runRabbitMqCase(options: RabbitMqCaseOptions): Promise<RabbitMqCaseResult> {
  const concurrency = options.concurrency ?? 64;
  const adapter = await adapterSide(options.url, concurrency);
  const raw = await rawSide(options.url, concurrency);
  try {
    const measured = await measureInterleaved(
      { adapter: adapter.op, raw: raw.op },
      { concurrency, opsPerRound: options.opsPerRound ?? 2_000, rounds: options.rounds ?? 7 },
    );
    const label = `rabbitmq publish + consume, ${concurrency} in flight`;
    const results: BenchResult[] = [
      {
        name: `${label}, wall clock`,
        value: measured.adapter.usPerOp,
        unit: "wall µs/msg (lower is better)",
        baseline: { name: "raw amqplib", value: measured.raw.usPerOp },
      },
      {
        name: `${label}, client CPU`,
        value: measured.adapter.cpuUsPerOp,
        unit: "CPU µs/msg (lower is better)",
        baseline: { name: "raw amqplib", value: measured.raw.cpuUsPerOp },
      },
    ];
    return { adapter: measured.adapter, raw: measured.raw, results };
  } finally {
    await adapter.close();
    await raw.close();
  }
}
