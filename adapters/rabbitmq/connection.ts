import { type Channel, type ChannelModel, type ConfirmChannel, connect } from "amqplib";
import { retryDelayMs } from "../core/backoff.js";
import { ClosedError, TaskflowError } from "../core/errors.js";
import { COMPONENT } from "./names.js";
import { redactUrl } from "./provider-errors.js";

export interface LinkOptions {
  readonly url: string;
  readonly heartbeatSeconds: number;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly connectTimeoutMs: number;
  /** PEM of the CA behind an amqps broker's certificate; Node's roots when unset. */
  readonly tlsCa?: string;
}

interface Waiter {
  resolve(model: ChannelModel): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const ignore = () => {};

/**
 * One AMQP connection that comes back by itself. When the broker closes it or the socket
 * drops, it reconnects with exponential backoff; callers waiting for a connection wait up to
 * their own bound; listeners registered with `onConnect` run after every reconnect, which is
 * how consumers resume. The confirm channel used for publishing lives here too, recreated on
 * demand when a channel error or a reconnect has closed it.
 */
export class AmqpLink {
  /** Increases with every successful connection; a channel from an older epoch is dead. */
  epoch = 0;
  private model: ChannelModel | undefined;
  private confirm: Promise<ConfirmChannel> | undefined;
  /** The confirm channel once open, for the publish path to skip a wait it does not need. */
  openConfirmChannel: ConfirmChannel | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<() => void>();
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LinkOptions) {}

  get connected(): boolean {
    return this.model !== undefined;
  }

  /** Opens the first connection, retrying until `connectTimeoutMs`. */
  async start(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    for (;;) {
      try {
        this.adopt(await this.open());
        return;
      } catch (error) {
        this.attempt += 1;
        const delay = this.nextDelay();
        if (this.closed || Date.now() + delay > deadline) {
          throw new TaskflowError(COMPONENT, `cannot connect to ${redactUrl(this.options.url)}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** The live connection, waiting up to `timeoutMs` for a reconnect when there is none. */
  connection(timeoutMs: number): Promise<ChannelModel> {
    if (this.closed) return Promise.reject(new ClosedError(COMPONENT, "use the connection"));
    if (this.model) return Promise.resolve(this.model);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new TaskflowError(COMPONENT, `no connection to the broker within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** The shared confirm channel for publishes, opened on first use after each (re)connect. */
  async confirmChannel(timeoutMs: number): Promise<ConfirmChannel> {
    const model = await this.connection(timeoutMs);
    if (!this.confirm) {
      const opening = model.createConfirmChannel().then((channel) => {
        channel.on("error", ignore);
        channel.once("close", () => {
          if (this.confirm === opening) this.confirm = undefined;
          if (this.openConfirmChannel === channel) this.openConfirmChannel = undefined;
        });
        if (this.confirm === opening) this.openConfirmChannel = channel;
        return channel;
      });
      opening.catch(() => {
        if (this.confirm === opening) this.confirm = undefined;
      });
      this.confirm = opening;
    }
    return this.confirm;
  }

  /** A plain channel for one short task (declare, check, get), closed afterwards. */
  async withChannel<R>(timeoutMs: number, task: (channel: Channel) => Promise<R>): Promise<R> {
    const model = await this.connection(timeoutMs);
    const channel = await model.createChannel();
    // A failed declare or check closes the channel from the broker's side; that is expected.
    channel.on("error", ignore);
    try {
      return await task(channel);
    } finally {
      await channel.close().catch(ignore);
    }
  }

  /** Runs `listener` after every reconnect (not the first connect); returns its removal. */
  onConnect(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops reconnecting, fails the waiters and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ClosedError(COMPONENT, "use the connection"));
    }
    this.waiters.clear();
    const model = this.model;
    this.model = undefined;
    this.confirm = undefined;
    this.openConfirmChannel = undefined;
    if (model) await model.close().catch(ignore);
  }

  private async open(): Promise<ChannelModel> {
    const url = new URL(this.options.url);
    if (!url.searchParams.has("heartbeat")) url.searchParams.set("heartbeat", String(this.options.heartbeatSeconds));
    return connect(url.toString(), {
      clientProperties: { connection_name: "taskflow" },
      ...(this.options.tlsCa === undefined ? {} : { ca: [this.options.tlsCa] }),
    });
  }

  private adopt(model: ChannelModel): void {
    if (this.closed) {
      model.close().catch(ignore);
      return;
    }
    model.on("error", ignore);
    model.once("close", () => this.lost(model));
    const reconnect = this.epoch > 0;
    this.model = model;
    this.epoch += 1;
    this.attempt = 0;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(model);
    }
    this.waiters.clear();
    if (reconnect) for (const listener of this.listeners) listener();
  }

  private lost(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.confirm = undefined;
    this.openConfirmChannel = undefined;
    if (!this.closed) this.schedule();
  }

  private schedule(): void {
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.open().then(
        (model) => this.adopt(model),
        () => {
          if (!this.closed) this.schedule();
        },
      );
    }, this.nextDelay());
  }

  private nextDelay(): number {
    return retryDelayMs(this.attempt, { ...this.options.reconnect, multiplier: 2 });
  }
}
