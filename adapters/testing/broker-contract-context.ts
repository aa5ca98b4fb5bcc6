import { randomUUID } from "node:crypto";
import { it } from "vitest";
import type { BrokerCapabilities } from "../core/capabilities.js";
import type { BackoffOptions, IMessageBroker, SubscriptionOptions } from "../core/message-broker.js";
import type { KillableConsumerFactory } from "./killable-consumer.js";

export interface BrokerFactoryOptions {
  /** Off: publishing to a missing topic must throw `TopicNotFoundError` (B27). @default true */
  readonly autoCreate?: boolean;
}

/**
 * Returns a new client. Clients from one factory must reach the same broker, as two
 * processes reach one server: B22 and B26 close one client and read with another.
 */
export type BrokerFactory = (options?: BrokerFactoryOptions) => Promise<IMessageBroker>;

/** How a test causes one fault, or why it cannot on this adapter. */
export type FaultSeam<T> = { readonly create: T } | { readonly absent: string };

/** Makes the subscription's dead-letter destination missing or refuse writes; resolves to its repair. */
export type DeadLetterBreaker = (
  broker: IMessageBroker,
  topic: string,
  subscription: string,
) => Promise<() => Promise<void>>;

/** The fault certification seams (FC1–FC5); each adapter's test file gives what its broker allows. */
export interface FaultSeams {
  /** A consumer that dies as a killed process does (FC5). */
  readonly killable?: FaultSeam<KillableConsumerFactory>;
  /** Breaks and repairs the dead-letter destination (FC4). */
  readonly breakDeadLetters?: FaultSeam<DeadLetterBreaker>;
  /** The server's address, and clients that reach it at another address instead (FC2). */
  readonly network?: FaultSeam<NetworkSeam>;
}

export interface NetworkSeam {
  readonly server: { readonly host: string; readonly port: number };
  /** A client of the same broker that connects to `host:port` (the test's proxy). */
  via(host: string, port: number): Promise<IMessageBroker>;
}

export interface BrokerContractOptions {
  /** What the adapter declares; decides which tests run and which refusals B28 checks. */
  readonly capabilities: BrokerCapabilities;
  /** When set, the whole suite is skipped with this reason in its title (server unreachable). */
  readonly skip?: string;
  /** Lock or visibility time for B09, B10 and B22. @default 300 */
  readonly lockMs?: number;
  /** How long to wait to be sure nothing more (or nothing early) arrives. @default 250 */
  readonly settleMs?: number;
  /** Longest wait for an expected delivery. @default 10_000 */
  readonly deliveryTimeoutMs?: number;
  /** Delay used by B20. @default 400 */
  readonly delayMs?: number;
  /** Short TTL used by B19. @default 100 */
  readonly ttlMs?: number;
  /** Max attempts before dead-lettering in B11 and F3 (Pub/Sub accepts no fewer than 5). @default 3 */
  readonly maxAttempts?: number;
  /** Retry backoff passed to every subscription that nacks. @default { initialMs: 20, maxMs: 200 } */
  readonly backoff?: BackoffOptions;
  /**
   * B26's message count, scaled down for a slow remote emulator only, with the reason; the
   * scaled count and reason appear in the test title.
   */
  readonly b26?: { readonly messages: number; readonly reason: string };
  /** Ways to cause the faults of the certification family. */
  readonly faults?: FaultSeams;
}

export interface Timings {
  readonly lockMs: number;
  readonly settleMs: number;
  readonly deliveryTimeoutMs: number;
  readonly delayMs: number;
  readonly ttlMs: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
}

/** The yes/no capabilities, which decide whether a test applies. */
export type CapabilityFlag = {
  [K in keyof BrokerCapabilities]: BrokerCapabilities[K] extends boolean ? K : never;
}[keyof BrokerCapabilities];

export interface Names {
  readonly topic: string;
  /** The n-th subscription name of this test. */
  sub(n?: number): string;
}

/** What each group of contract tests is given. */
export interface ContractContext {
  /** The suite's name, as the adapter's test file gives it ("aws-sns-sqs (FIFO)"). */
  readonly suite: string;
  readonly capabilities: BrokerCapabilities;
  readonly faults: FaultSeams | undefined;
  readonly timings: Timings;
  /** Opens a client that is closed after the test. */
  open(options?: BrokerFactoryOptions): Promise<IMessageBroker>;
  /** Closes a client made elsewhere after the test, as `open` does. */
  adopt(broker: IMessageBroker): void;
  /** Names unique to this run, so leftovers on a real server never count. */
  names(label: string): Names;
  /**
   * Registers a test; when `needs` is not declared the test is skipped by name with the
   * reason in its title.
   */
  test(title: string, body: () => Promise<void>, needs?: CapabilityFlag): void;
  /** Registers a fault test; skipped by name with the reason when the adapter cannot cause the fault. */
  faultTest(title: string, needs: FaultSeam<unknown> | undefined, body: () => Promise<void>): void;
  /** Makes the subscription exist before anything is published (B02, B19, B22...). */
  createSubscription(
    broker: IMessageBroker,
    topic: string,
    subscription: string,
    options?: SubscriptionOptions,
  ): Promise<void>;
}

export function resolveTimings(options: BrokerContractOptions): Timings {
  return {
    lockMs: options.lockMs ?? 300,
    settleMs: options.settleMs ?? 250,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
    delayMs: options.delayMs ?? 400,
    ttlMs: options.ttlMs ?? 100,
    maxAttempts: options.maxAttempts ?? 3,
    backoff: options.backoff ?? { initialMs: 20, maxMs: 200 },
  };
}

export function createContext(
  suite: string,
  factory: BrokerFactory,
  options: BrokerContractOptions,
  opened: IMessageBroker[],
): ContractContext {
  const capabilities = options.capabilities;
  const timings = resolveTimings(options);
  const run = randomUUID().slice(0, 8);
  const testTimeout = timings.deliveryTimeoutMs * 3 + timings.lockMs * 6;
  return {
    suite,
    capabilities,
    faults: options.faults,
    timings,
    async open(factoryOptions) {
      const broker = await factory(factoryOptions);
      opened.push(broker);
      return broker;
    },
    adopt(broker) {
      opened.push(broker);
    },
    names(label) {
      const topic = `tf-${label}-${run}`;
      return { topic, sub: (n = 1) => `${topic}-s${n}` };
    },
    test(title, body, needs) {
      if (needs !== undefined && !capabilities[needs]) {
        it.skip(`${title} (skipped: capability ${needs} not declared)`, () => {});
        return;
      }
      it(title, body, testTimeout);
    },
    faultTest(title, needs, body) {
      if (needs !== undefined && "absent" in needs) {
        it.skip(`${title} (skipped: ${needs.absent})`, () => {});
        return;
      }
      it(title, body, testTimeout * 2);
    },
    async createSubscription(broker, topic, subscription, subscriptionOptions = {}) {
      if (capabilities.management) {
        await broker.ensureTopic(topic);
        await broker.ensureSubscription(topic, subscription, subscriptionOptions);
        return;
      }
      const consumer = await broker.subscribe(topic, subscription, () => {}, subscriptionOptions);
      await consumer.close();
    },
  };
}
