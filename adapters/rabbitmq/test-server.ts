import { connect } from "amqplib";
import type { IMessageBroker } from "../core/message-broker.js";
import { serverGate } from "../testing/servers.js";
import { createRabbitMqBroker, type RabbitMqBroker } from "./message-broker.js";
import { createNaming, deadLetterExchange, deadLetterQueue } from "./names.js";

/** The machine's shared RabbitMQ, or the one `RABBITMQ_URL` names. */
export const TEST_RABBITMQ_URL = process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";

export function rabbitGate(): Promise<string | undefined> {
  const url = new URL(TEST_RABBITMQ_URL);
  return serverGate(
    "RabbitMQ",
    { host: url.hostname, port: Number(url.port || 5672) },
    "start it with `rabbitmq-server -detached` or set RABBITMQ_URL",
  );
}

const TOPIC_METHODS = new Set<PropertyKey>(["publish", "publishBatch", "ensureTopic"]);
const SUBSCRIPTION_METHODS = new Set<PropertyKey>(["subscribe", "ensureSubscription", "receiveDeadLetters"]);

/**
 * Remembers every topic and subscription that test clients touch, so that the run can delete
 * them from the shared server at the end: AMQP has no way to list them afterwards.
 */
export class CreatedNames {
  private readonly topics = new Set<string>();
  private readonly subscriptions = new Map<string, { topic: string; subscription: string }>();

  track(broker: RabbitMqBroker): IMessageBroker {
    return new Proxy(broker, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const [topic, subscription] = args;
          if (typeof topic === "string" && (TOPIC_METHODS.has(property) || SUBSCRIPTION_METHODS.has(property))) {
            this.topics.add(topic);
          }
          if (typeof topic === "string" && typeof subscription === "string" && SUBSCRIPTION_METHODS.has(property)) {
            this.subscriptions.set(`${topic}\u0000${subscription}`, { topic, subscription });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  /** Deletes everything tracked, with a client of its own. */
  async deleteAll(url: string): Promise<void> {
    const broker = await createRabbitMqBroker({ url });
    try {
      for (const { topic, subscription } of this.subscriptions.values()) {
        await broker.deleteSubscription(topic, subscription);
      }
      for (const topic of this.topics) await broker.deleteTopic(topic);
    } finally {
      await broker.close();
    }
  }
}

/**
 * Deletes a subscription's dead-letter exchange, so the adapter's dead-letter publishes are
 * refused (404), as a removed exchange or a missing permission would refuse them; the repair
 * declares it again and binds the dead-letter queue, which kept its messages.
 */
export function breakDeadLetterExchange(url: string) {
  return async (_broker: unknown, topic: string, subscription: string): Promise<() => Promise<void>> => {
    const queue = createNaming().queue(topic, subscription);
    const connection = await connect(url);
    const channel = await connection.createChannel();
    await channel.deleteExchange(deadLetterExchange(queue));
    return async () => {
      try {
        await channel.assertExchange(deadLetterExchange(queue), "fanout", { durable: true });
        await channel.bindQueue(deadLetterQueue(queue), deadLetterExchange(queue), "");
      } finally {
        await connection.close();
      }
    };
  };
}
