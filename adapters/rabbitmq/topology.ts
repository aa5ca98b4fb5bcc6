import type { Channel } from "amqplib";
import { OncePerKey } from "../core/once-per-key.js";
import type { AmqpLink } from "./connection.js";
import { deadLetterExchange, deadLetterQueue, type Naming, retryQueue, subscriptionQueues } from "./names.js";
import { topologyFailure } from "./provider-errors.js";

/**
 * Declares and checks exchanges and queues. Each declaration runs once per connection and is
 * shared by concurrent callers; a failed one is forgotten so the next call tries again.
 * Declarations are idempotent on the broker, so two processes creating the same topic at
 * once is safe.
 */
export class Topology {
  private readonly done = new OncePerKey<void>();
  /** Exchanges known to exist on this connection, for a publish path without an await. */
  private readonly readyExchanges = new Set<string>();

  constructor(
    private readonly link: AmqpLink,
    private readonly naming: Naming,
    private readonly autoCreate: boolean,
    private readonly timeoutMs: number,
  ) {
    // A restarted or replaced broker may have lost what was declared: declare again.
    link.onConnect(() => {
      this.done.clear();
      this.readyExchanges.clear();
    });
  }

  /** True once the topic's exchange was declared or checked on this connection. */
  topicReady(topic: string): boolean {
    return this.readyExchanges.has(this.naming.exchange(topic));
  }

  /** Creates the topic's exchange if missing. */
  ensureTopic(topic: string): Promise<void> {
    const exchange = this.naming.exchange(topic);
    return this.once(
      `exchange:${exchange}`,
      `declare the exchange of topic "${topic}"`,
      topic,
      undefined,
      async (ch) => {
        await ch.assertExchange(exchange, "topic", { durable: true });
        this.readyExchanges.add(exchange);
      },
    );
  }

  /** The topic's exchange exists: created when auto-create is on, checked when it is off. */
  requireTopic(topic: string): Promise<void> {
    if (this.autoCreate) return this.ensureTopic(topic);
    const exchange = this.naming.exchange(topic);
    return this.once(`exchange:${exchange}`, `check the exchange of topic "${topic}"`, topic, undefined, async (ch) => {
      await ch.checkExchange(exchange);
      this.readyExchanges.add(exchange);
    });
  }

  /**
   * Creates the subscription's queue bound to the topic, with its dead-letter exchange and
   * queue; rejected or expired messages go there too, through `x-dead-letter-exchange`.
   */
  ensureSubscription(topic: string, subscription: string): Promise<void> {
    const exchange = this.naming.exchange(topic);
    const queue = this.naming.queue(topic, subscription);
    return this.ensureTopic(topic).then(() =>
      this.once(
        `queue:${queue}`,
        `declare the queue of subscription "${subscription}"`,
        topic,
        subscription,
        async (ch) => {
          const dlx = deadLetterExchange(queue);
          await ch.assertExchange(dlx, "fanout", { durable: true });
          await ch.assertQueue(deadLetterQueue(queue), { durable: true });
          await ch.bindQueue(deadLetterQueue(queue), dlx, "");
          await ch.assertQueue(queue, { durable: true, arguments: { "x-dead-letter-exchange": dlx } });
          await ch.bindQueue(queue, exchange, "#");
        },
      ),
    );
  }

  requireSubscription(topic: string, subscription: string): Promise<void> {
    if (this.autoCreate) return this.ensureSubscription(topic, subscription);
    const queue = this.naming.queue(topic, subscription);
    return this.once(
      `queue:${queue}`,
      `check the queue of subscription "${subscription}"`,
      topic,
      subscription,
      async (ch) => {
        await ch.checkQueue(queue);
      },
    );
  }

  /**
   * The retry queue of one delay tier: every message in it waits the tier's TTL, then
   * RabbitMQ dead-letters it back to the work queue through the default exchange.
   */
  ensureRetryQueue(queue: string, tierMs: number): Promise<void> {
    const name = retryQueue(queue, tierMs);
    return this.once(`queue:${name}`, `declare the retry queue "${name}"`, undefined, undefined, async (ch) => {
      await ch.assertQueue(name, {
        durable: true,
        arguments: { "x-message-ttl": tierMs, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue },
      });
    });
  }

  /** Forgets that a queue was declared, so the next use declares it again (it was deleted). */
  forgetSubscription(queue: string): void {
    this.done.forget(`queue:${queue}`);
  }

  /** Deletes a subscription's queues and dead-letter exchange (tests and teardown). */
  async deleteSubscription(topic: string, subscription: string): Promise<void> {
    const queue = this.naming.queue(topic, subscription);
    await this.link.withChannel(this.timeoutMs, async (ch) => {
      for (const name of subscriptionQueues(queue)) await ch.deleteQueue(name);
      await ch.deleteExchange(deadLetterExchange(queue));
    });
    for (const name of subscriptionQueues(queue)) this.done.forget(`queue:${name}`);
  }

  /** Deletes a topic's exchange (tests and teardown). */
  async deleteTopic(topic: string): Promise<void> {
    const exchange = this.naming.exchange(topic);
    this.readyExchanges.delete(exchange);
    await this.link.withChannel(this.timeoutMs, (ch) => ch.deleteExchange(exchange));
    this.done.forget(`exchange:${exchange}`);
  }

  private once(
    key: string,
    what: string,
    topic: string | undefined,
    subscription: string | undefined,
    task: (channel: Channel) => Promise<unknown>,
  ): Promise<void> {
    return this.done.run(key, () =>
      this.link
        .withChannel(this.timeoutMs, async (ch) => {
          await task(ch);
        })
        .catch((error: unknown) => {
          throw topologyFailure(what, error, topic, subscription);
        }),
    );
  }
}
