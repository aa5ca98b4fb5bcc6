import { randomUUID } from "node:crypto";
import { once } from "node:events";
import type { ConfirmChannel, Message, Options } from "amqplib";
import { PublishError } from "../core/errors.js";
import type { AmqpLink } from "./connection.js";
import { COMPONENT } from "./names.js";

/** One publish waiting for its confirm; it leaves `awaiting` when settled either way. */
class Confirmation {
  constructor(
    readonly deadline: number,
    private readonly resolve: () => void,
    readonly reject: (error: Error) => void,
    private readonly awaiting: Set<Confirmation>,
  ) {
    awaiting.add(this);
  }

  settle(error: unknown): void {
    this.awaiting.delete(this);
    if (error) this.reject(error instanceof Error ? error : new Error(String(error)));
    else this.resolve();
  }
}

/** Marks a mandatory send, so the broker's `basic.return` of it can be told from others'. */
const RETURN_TOKEN = "x-taskflow-return-token";

/** How often unconfirmed publishes are checked against their deadline. */
const SWEEP_MS = 100;

/**
 * Publishes on the link's confirm channel: `send` resolves only when the broker has confirmed
 * the message, so a resolved send is durable. A send waits up to `timeoutMs` in all, for a
 * connection after a broker restart and for the confirm; a connection lost before the confirm
 * fails it, and the caller may publish again (the id is kept, so consumers de-duplicate the
 * copy). One sweeping timer enforces the deadlines, rather than a timer per message.
 *
 * A `mandatory` send (a retry or a dead letter, which must land in one queue) fails when no
 * queue takes it: RabbitMQ confirms an unroutable message all the same, after returning it,
 * so without this a dead letter to an exchange whose queue is gone would vanish.
 */
export class ConfirmPublisher {
  private drained: Promise<unknown> | undefined;
  private readonly awaiting = new Set<Confirmation>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Tokens of mandatory sends the broker returned; the return comes before the confirm. */
  private readonly returned = new Set<string>();
  private readonly watched = new WeakSet<ConfirmChannel>();

  constructor(
    private readonly link: AmqpLink,
    private readonly timeoutMs: number,
  ) {}

  async send(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    const channel = this.link.openConfirmChannel ?? (await this.link.confirmChannel(this.timeoutMs));
    // Respect the socket's backpressure: a full write buffer holds new sends until it drains.
    if (this.drained) await this.drained;
    const token = options.mandatory ? randomUUID() : undefined;
    if (token) this.watchReturns(channel);
    const sent = token ? { ...options, headers: { ...options.headers, [RETURN_TOKEN]: token } } : options;
    await new Promise<void>((resolve, reject) => {
      const confirmation = new Confirmation(deadline, resolve, reject, this.awaiting);
      this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS);
      const settle = (error: unknown) => {
        if (token && this.returned.delete(token) && !error) {
          const target = routingKey
            ? `exchange "${exchange}" with routing key "${routingKey}"`
            : `exchange "${exchange}"`;
          error = new PublishError(COMPONENT, `no queue took the message sent to ${target}; it was returned`);
        }
        confirmation.settle(error);
      };
      try {
        const accepted = channel.publish(exchange, routingKey, content, sent, settle);
        if (!accepted) this.waitForDrain(channel);
      } catch (error) {
        confirmation.settle(error);
      }
    });
  }

  private watchReturns(channel: ConfirmChannel): void {
    if (this.watched.has(channel)) return;
    this.watched.add(channel);
    channel.on("return", (message: Message) => {
      const token = message.properties.headers?.[RETURN_TOKEN];
      if (typeof token === "string") this.returned.add(token);
    });
  }

  private sweep(): void {
    const now = Date.now();
    for (const entry of this.awaiting) {
      if (entry.deadline > now) continue;
      this.awaiting.delete(entry);
      entry.reject(new PublishError(COMPONENT, `no confirm from the broker within ${this.timeoutMs} ms`));
    }
    if (this.awaiting.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private waitForDrain(channel: ConfirmChannel): void {
    if (this.drained) return;
    // Whichever event comes first, the listener waiting for the other is removed.
    const stop = new AbortController();
    const { signal } = stop;
    const drained = Promise.race([once(channel, "drain", { signal }), once(channel, "close", { signal })])
      .catch(() => {})
      .finally(() => stop.abort());
    this.drained = drained;
    drained.then(() => {
      if (this.drained === drained) this.drained = undefined;
    });
  }
}
