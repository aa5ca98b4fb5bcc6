import { randomUUID } from "node:crypto";
import { connect } from "amqplib";
import { createRabbitMqBroker } from "../../adapters/rabbitmq/index.js";
import { tcpReachable } from "../../adapters/testing/servers.js";
import { measureInterleaved, type Operation, type Throughput } from "../lib/measure.js";
import type { BenchResult } from "../lib/report.js";
import { Arrivals, adapterRoundTrip, BENCH_HEADERS, type BrokerCase, benchBody, rows, withSides } from "./case.js";

/**
 * RabbitMQ on the machine's server (or `RABBITMQ_URL`). One operation is one message
 * published and seen by its consumer. The adapter side is `publish()` and `subscribe()`; the
 * raw side is what a careful hand-written amqplib client does for the same guarantees: a
 * durable topic exchange and queue, a persistent JSON message with its id and headers as AMQP
 * properties, a publisher confirm awaited per message, a consumer with the same prefetch that
 * parses and acks each message.
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

async function adapterSide(url: string, concurrency: number) {
  const broker = await createRabbitMqBroker({ url });
  const { topic, subscription, op } = await adapterRoundTrip(broker, "tf-bench-adapter", concurrency);
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
    const content = Buffer.from(JSON.stringify(benchBody(i)), "utf8");
    await new Promise<void>((resolve, reject) => {
      publisher.publish(
        exchange,
        "",
        content,
        { messageId: id, persistent: true, contentType: "application/json", headers: BENCH_HEADERS },
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
  return withSides(
    () => adapterSide(options.url, concurrency),
    () => rawSide(options.url, concurrency),
    async (adapter, raw) => {
      const measured = await measureInterleaved(
        { adapter: adapter.op, raw: raw.op },
        { concurrency, opsPerRound: options.opsPerRound ?? 2_000, rounds: options.rounds ?? 7 },
      );
      const label = `rabbitmq publish + consume, ${concurrency} in flight`;
      const results = rows(label, "raw amqplib, confirm per message", measured.adapter, measured.raw);
      return { adapter: measured.adapter, raw: measured.raw, results };
    },
  );
}

const URL_OF_SERVER = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export const rabbitMqCase: BrokerCase = {
  name: "rabbitmq",
  async run() {
    const { hostname, port } = new URL(URL_OF_SERVER);
    if (!(await tcpReachable(hostname, Number(port || 5672)))) {
      return {
        skipped: `RabbitMQ not reachable at ${hostname}:${port || 5672}; start it with rabbitmq-server -detached`,
      };
    }
    return (await runRabbitMqCase({ url: URL_OF_SERVER })).results;
  },
};
