import { afterEach, describe, expect, it } from "vitest";
import {
  ClosedError,
  ConfigError,
  SubscriptionNotFoundError,
  TopicNotFoundError,
  UnsupportedFeatureError,
} from "../core/errors.js";
import type { Message } from "../core/message.js";
import type { DeliveryContext } from "../core/message-broker.js";
import { deferred, Received, sleep, until } from "../testing/broker-collector.js";
import { runBrokerContract } from "../testing/broker-contract.js";
import { createBrokerFromEnv, MEMORY_BROKER_CAPABILITIES, MemoryBroker, MemoryBrokerStore } from "./message-broker.js";

// One store per suite: every client the factory opens talks to the same "server".
const contractStore = new MemoryBrokerStore();
runBrokerContract("memory", async (options) => new MemoryBroker({ store: contractStore, ...options }), {
  capabilities: MEMORY_BROKER_CAPABILITIES,
  faults: {
    // One process: the client's simulated crash stands for the consumer's process dying.
    killable: {
      create: async (topic, subscription, options) => {
        const client = new MemoryBroker({ store: contractStore });
        const received: string[] = [];
        await client.subscribe(
          topic,
          subscription,
          (message) => {
            received.push(message.id);
            return new Promise<void>(() => {});
          },
          options,
        );
        return {
          received,
          waitForDeliveries: (count, timeoutMs) =>
            until(() => received.length >= count, timeoutMs, `${count} deliveries`),
          kill: async () => client.crash(),
        };
      },
    },
    network: { absent: "in one process there is no network between the adapter and its broker" },
    breakDeadLetters: {
      absent: "its dead-letter queue is this process's memory, which cannot be missing or refuse a write",
    },
  },
});

describe("memory broker", () => {
  const opened: MemoryBroker[] = [];
  const open = (init: ConstructorParameters<typeof MemoryBroker>[0] = {}) => {
    const broker = new MemoryBroker(init);
    opened.push(broker);
    return broker;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((broker) => broker.close()));
  });

  it("duplicateRate 1 delivers every acked message exactly once more, same id, next attempt", async () => {
    const broker = open({ duplicateRate: 1 });
    const got = new Received();
    await broker.subscribe("orders", "billing", got.handler);
    const ids = await Promise.all([1, 2, 3].map(async (i) => (await broker.publish("orders", { body: { i } })).id));
    await until(() => got.all.length === 6, 2_000, "6 deliveries");
    await sleep(50);
    expect(got.all).toHaveLength(6);
    for (const id of ids) expect(got.deliveriesOf(id).map((message) => message.attempt)).toEqual([1, 2]);
  });

  it("duplicateRate uses the injected random source: 0.5 with alternating draws duplicates every other ack", async () => {
    let draw = 0;
    const broker = open({ duplicateRate: 0.5, random: () => (draw++ % 2 === 0 ? 0.1 : 0.9) });
    const got = new Received();
    await broker.subscribe("orders", "billing", got.handler, { maxConcurrency: 1 });
    for (let i = 0; i < 4; i++) await broker.publish("orders", { body: { i } });
    await until(() => got.unique === 4, 2_000, "4 messages");
    await sleep(50);
    expect(got.all.length).toBeGreaterThan(4);
    expect(got.all.length).toBeLessThan(8);
  });

  it("with auto-create off, unknown topics and subscriptions are typed errors until created", async () => {
    const broker = open({ autoCreate: false });
    await expect(broker.publish("missing", { body: 1 })).rejects.toBeInstanceOf(TopicNotFoundError);
    await expect(broker.subscribe("missing", "s", () => {})).rejects.toBeInstanceOf(TopicNotFoundError);
    await broker.ensureTopic("present");
    await expect(broker.subscribe("present", "s", () => {})).rejects.toBeInstanceOf(SubscriptionNotFoundError);
    await expect(broker.receiveDeadLetters("present", "s")).rejects.toBeInstanceOf(SubscriptionNotFoundError);
    await broker.ensureSubscription("present", "s");
    const got = new Received();
    await broker.subscribe("present", "s", got.handler);
    const { id } = await broker.publish("present", { body: 1 });
    await got.waitForIds([id], 2_000);
  });

  it("runs exactly maxConcurrency handlers at once when messages are waiting", async () => {
    const broker = open();
    await broker.ensureSubscription("jobs", "workers");
    for (let i = 0; i < 40; i++) await broker.publish("jobs", { body: i });
    let running = 0;
    let peak = 0;
    const done = new Received();
    await broker.subscribe(
      "jobs",
      "workers",
      async (message) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
        done.record(message);
      },
      { maxConcurrency: 4 },
    );
    await done.waitForCount(40, 5_000);
    expect(peak).toBe(4);
  });

  it("close() is bounded: a handler that never settles is aborted and its message goes to another client", async () => {
    const store = new MemoryBrokerStore();
    const stuck = open({ store, closeTimeoutMs: 100 });
    let signal: AbortSignal | undefined;
    const started = deferred();
    await stuck.subscribe("tasks", "worker", (_message: Message, context: DeliveryContext) => {
      signal = context.signal;
      started.resolve();
      return new Promise<void>(() => {});
    });
    const { id } = await stuck.publish("tasks", { body: "hangs" });
    await started.promise;
    const before = Date.now();
    await stuck.close();
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
    const rescuer = open({ store });
    const got = new Received();
    await rescuer.subscribe("tasks", "worker", got.handler);
    await got.waitForIds([id], 2_000);
    expect(got.byId.get(id)!.attempt).toBe(2);
  });

  it("after close() every call throws ClosedError and close() stays idempotent", async () => {
    const broker = open();
    await broker.close();
    await broker.close();
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(ClosedError);
    await expect(broker.publishBatch("t", [{ body: 1 }])).rejects.toBeInstanceOf(ClosedError);
    await expect(broker.subscribe("t", "s", () => {})).rejects.toBeInstanceOf(ClosedError);
    await expect(broker.ensureTopic("t")).rejects.toBeInstanceOf(ClosedError);
    await expect(broker.ping()).rejects.toBeInstanceOf(ClosedError);
  });

  it("a lost lock aborts the handler's signal, and a dead letter names the last error", async () => {
    const broker = open();
    const aborted = deferred<boolean>();
    await broker.subscribe(
      "audit",
      "stall",
      async (message, context) => {
        if (message.attempt === 1) {
          context.signal.addEventListener("abort", () => aborted.resolve(true));
          await sleep(200);
          return;
        }
        throw new Error("still broken");
      },
      { lockMs: 50, renewLock: false, maxAttempts: 2 },
    );
    await broker.publish("audit", { body: "x" });
    expect(await aborted.promise).toBe(true);
    const letters = await broker.receiveDeadLetters("audit", "stall", { waitMs: 2_000 });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.attempt).toBe(2);
    expect(letters[0]!.reason).toContain("still broken");
  });

  it("refuses history replay, the one capability it does not declare", async () => {
    const broker = open();
    await expect(broker.subscribe("t", "s", () => {}, { fromBeginning: true })).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
  });

  it("delivers a copy of the body: a handler mutating it does not change another subscription's message", async () => {
    const broker = open();
    const second = new Received<{ n: number }>();
    await broker.subscribe<{ n: number }>("t", "mutator", (message) => {
      message.body.n = 99;
    });
    await broker.subscribe("t", "reader", second.handler);
    const { id } = await broker.publish("t", { body: { n: 1 } });
    await second.waitForIds([id], 2_000);
    expect(second.byId.get(id)!.body).toEqual({ n: 1 });
  });

  it("createBrokerFromEnv reads MEMORY_BROKER_* and shares one store per process", async () => {
    const a = await createBrokerFromEnv({ MEMORY_BROKER_DUPLICATE_RATE: "0" });
    const b = await createBrokerFromEnv({});
    opened.push(a, b);
    expect(a.store).toBe(b.store);
    await expect(createBrokerFromEnv({ MEMORY_BROKER_DUPLICATE_RATE: "2" })).rejects.toThrow(
      /MEMORY_BROKER_DUPLICATE_RATE/,
    );
    await expect(createBrokerFromEnv({ MEMORY_BROKER_AUTO_CREATE: "maybe" })).rejects.toBeInstanceOf(ConfigError);
  });
});
