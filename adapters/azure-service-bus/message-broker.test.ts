import { describe, expect, it } from "vitest";
import {
  ClosedError,
  InvalidHeadersError,
  MessageTooLargeError,
  PublishError,
  SubscriptionNotFoundError,
  TopicNotFoundError,
  UnsupportedFeatureError,
} from "../core/errors.js";
import type { Message } from "../core/message.js";
import { deferred, sleep } from "../testing/broker-collector.js";
import { FAST_BACKOFF, fakeClientHarness, waitFor } from "../testing/fake-client-harness.js";
import { FakeServiceBus, serviceBusError } from "./fake-client.js";
import { SERVICE_BUS_CAPABILITIES, type ServiceBusBrokerOptions, ServiceBusMessageBroker } from "./message-broker.js";

const open = fakeClientHarness<ServiceBusMessageBroker>();

function setup(options: Partial<ServiceBusBrokerOptions> = {}) {
  const bus = new FakeServiceBus();
  const { broker, errors } = open(
    (onError) => new ServiceBusMessageBroker({ client: bus, admin: bus, onError, ...options }),
  );
  return { bus, broker, errors };
}

/**
 * What is particular to Service Bus here: sessions for ordered subscriptions, entity settings (lock duration, max delivery count), the dead-letter sub-queue, the message fields, SDK errors, entities the stacks own. Everything the shared
 * broker contract asks of every adapter runs on the same fake in fake-contract.test.ts.
 */
describe("service bus publish", () => {
  it("maps id, key, headers, TTL and delay onto the Service Bus message, creating a dedupe topic", async () => {
    const { bus, broker } = setup();
    const before = Date.now();
    await broker.publish("orders", {
      id: "m-1",
      key: "order-7",
      headers: { trace: "é✓", empty: "" },
      body: { n: 1 },
      ttlMs: 60_000,
      delayMs: 5_000,
    });
    expect(bus.topics.get("orders")?.settings).toEqual({
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: "PT10M",
    });
    const sent = bus.sends[0]!.messages[0]!;
    expect(sent).toMatchObject({
      messageId: "m-1",
      sessionId: "order-7",
      contentType: "application/json",
      timeToLive: 60_000,
    });
    expect(JSON.parse(sent.body.toString("utf8"))).toEqual({ n: 1 });
    expect(sent.applicationProperties).toMatchObject({ trace: "é✓", empty: "" });
    expect(sent.scheduledEnqueueTimeUtc!.getTime()).toBeGreaterThanOrEqual(before + 5_000);
  });

  it("gives a keyless message a session of its own, so a session-enabled subscription can take it", async () => {
    const { bus, broker } = setup();
    await broker.publish("t", { id: "solo", body: 1 });
    expect(bus.sends[0]?.messages[0]?.sessionId).toBe("solo");
  });

  it("refuses a message over the limit, and bad headers, before any network call", async () => {
    const { bus, broker } = setup();
    const body = "x".repeat(SERVICE_BUS_CAPABILITIES.maxMessageBytes);
    await expect(broker.publish("t", { body })).rejects.toBeInstanceOf(MessageTooLargeError);
    await expect(broker.publish("t", { headers: { "taskflow-published-at": "1" }, body: 1 })).rejects.toBeInstanceOf(
      InvalidHeadersError,
    );
    expect(bus.adminCalls).toEqual([]);
    expect(bus.sends).toEqual([]);
    await broker.publish("t", { body: "x".repeat(SERVICE_BUS_CAPABILITIES.maxMessageBytes - 2) });
    expect(bus.sends).toHaveLength(1);
  });

  it("maps SDK errors to typed errors", async () => {
    const { bus, broker } = setup({ autoCreate: false });
    await expect(broker.publish("missing", { body: 1 })).rejects.toBeInstanceOf(TopicNotFoundError);
    expect(bus.adminCalls).toEqual([]);
    await bus.createTopic("t", { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: "PT10M" });
    bus.failSend = () => {
      throw serviceBusError("MessageSizeExceeded");
    };
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(MessageTooLargeError);
    bus.failSend = () => {
      throw serviceBusError("UnauthorizedAccess", "Unauthorized access. 'Send' claim(s) are required");
    };
    const error = await broker.publish("t", { body: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toBe(
      "[taskflow] [azure-service-bus] cannot publish to topic \"t\": Unauthorized access. 'Send' claim(s) are required",
    );
  });

  it("reports exactly the failing entries of a batch, splitting it to fit", async () => {
    const { bus, broker } = setup();
    bus.batchMaxBytes = 1_000;
    const tooManyHeaders = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, "v"]));
    const messages = Array.from({ length: 10 }, (_, i) => ({
      body: "y".repeat(300),
      ...(i === 2 ? { headers: tooManyHeaders } : {}),
    }));
    messages.push({ body: "z".repeat(2_000) });
    const result = await broker.publishBatch("t", messages);
    expect(result.failed.map((entry) => entry.index)).toEqual([2, 10]);
    expect(result.failed[0]?.error).toBeInstanceOf(InvalidHeadersError);
    expect(result.failed[1]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(result.published.map((entry) => entry.index)).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9]);
    expect(bus.sends.map((send) => send.messages.length)).toEqual([2, 2, 2, 2, 1]);

    let calls = 0;
    bus.failSend = () => {
      if (calls++ === 1) throw serviceBusError("ServiceBusy");
    };
    const second = await broker.publishBatch(
      "t",
      Array.from({ length: 4 }, () => ({ body: "y".repeat(300) })),
    );
    expect(second.failed.map((entry) => entry.index)).toEqual([2, 3]);
    expect(second.failed[0]?.error).toBeInstanceOf(PublishError);
  });
});

describe("service bus subscribe", () => {
  it("creates the subscription from its options: lock duration, max delivery count, sessions", async () => {
    const { bus, broker } = setup();
    await broker.ensureSubscription("t", "s", { lockMs: 700, maxAttempts: 4, ordered: true });
    await broker.ensureSubscription("t", "long", { lockMs: 3_600_000 });
    expect(bus.subscription("t", "s").settings).toEqual({
      lockDuration: "PT5S",
      maxDeliveryCount: 4,
      requiresSession: true,
      deadLetteringOnMessageExpiration: true,
    });
    expect(bus.subscription("t", "long").settings.lockDuration).toBe("PT300S");
  });

  it("completes a message after the handler succeeds, with the envelope intact", async () => {
    const { bus, broker } = setup();
    const seen: Message[] = [];
    await broker.subscribe("t", "s", (message) => {
      seen.push(message);
    });
    const before = Date.now();
    await broker.publish("t", { id: "m-1", key: "k", headers: { a: "1", empty: "" }, body: { ok: true } });
    await waitFor(() => seen.length === 1 && bus.subscription("t", "s").active.length === 0);
    expect(seen[0]).toMatchObject({
      id: "m-1",
      topic: "t",
      key: "k",
      headers: { a: "1", empty: "" },
      body: { ok: true },
      attempt: 1,
    });
    expect(seen[0]?.publishedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
  });

  it("dead-letters on the last attempt with reason and description; receiveDeadLetters returns it", async () => {
    const { bus, broker } = setup();
    const ok: unknown[] = [];
    await broker.subscribe(
      "t",
      "s",
      (message) => {
        if (message.body === "poison") throw new Error("cannot handle poison");
        ok.push(message.body);
      },
      { maxAttempts: 3, backoff: FAST_BACKOFF },
    );
    await broker.publish("t", { id: "p-1", key: "a", headers: { trace: "t-1" }, body: "poison" });
    await broker.publish("t", { body: "fine" });
    await waitFor(() => bus.subscription("t", "s").deadLetters.length === 1 && ok.length === 1);
    const stored = bus.subscription("t", "s").deadLetters[0]!;
    expect(stored.deadLetterReason).toBe("failed 3 of 3 attempts: cannot handle poison");
    expect(stored.deadLetterErrorDescription).toMatch(/^Error: cannot handle poison/);
    const letters = await broker.receiveDeadLetters("t", "s", { max: 5, waitMs: 20 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      id: "p-1",
      key: "a",
      body: "poison",
      headers: { trace: "t-1" },
      attempt: 3,
      reason: "failed 3 of 3 attempts: cannot handle poison",
    });
    expect(bus.receiverOptions.at(-1)?.subQueueType).toBe("deadLetter");
    expect(await broker.receiveDeadLetters("t", "s", { waitMs: 20 })).toEqual([]);
  });

  it("dead-letters once on an explicit deadLetter(reason)", async () => {
    const { bus, broker } = setup();
    let calls = 0;
    await broker.subscribe("t", "s", (_message, context) => {
      calls++;
      context.deadLetter("customer unknown");
    });
    await broker.publish("t", { body: 1 });
    await waitFor(() => bus.subscription("t", "s").deadLetters.length === 1);
    await sleep(40);
    expect(calls).toBe(1);
    expect(bus.subscription("t", "s").deadLetters[0]?.deadLetterReason).toBe("customer unknown");
  });

  it("renews locks by default and turns renewal off with renewLock: false, giving the message up at lock expiry", async () => {
    const { bus, broker } = setup({ maxLockRenewalMs: 120_000 });
    await broker.subscribe("t", "renewed", () => {});
    expect(bus.receiverOptions.at(-1)).toMatchObject({
      receiveMode: "peekLock",
      maxAutoLockRenewalDurationInMs: 120_000,
    });

    await broker.ensureSubscription("t", "plain", { lockMs: 5_000 });
    bus.subscription("t", "plain").lockMs = 80;
    const attempts: number[] = [];
    let aborted = false;
    await broker.subscribe(
      "t",
      "plain",
      async (message, context) => {
        attempts.push(message.attempt);
        if (message.attempt === 1) {
          await sleep(250);
          aborted = context.signal.aborted;
        }
      },
      { renewLock: false },
    );
    expect(bus.receiverOptions.at(-1)?.maxAutoLockRenewalDurationInMs).toBe(0);
    await broker.publish("t", { body: 1 });
    await waitFor(() => attempts.length === 2 && aborted);
    expect(attempts).toEqual([1, 2]);
  });

  it("keeps per-key order on an ordered subscription through sessions, a nacked message first", async () => {
    const { bus, broker } = setup();
    const seen: string[] = [];
    await broker.subscribe(
      "t",
      "s",
      (message) => {
        seen.push(`${message.key}:${message.body}#${message.attempt}`);
        if (message.body === 1 && message.attempt === 1) throw new Error("nack");
      },
      { ordered: true, backoff: FAST_BACKOFF, maxConcurrency: 2 },
    );
    for (let i = 0; i < 4; i++) await broker.publish("t", { key: "a", body: i });
    for (let i = 0; i < 3; i++) await broker.publish("t", { key: "b", body: i });
    await waitFor(() => seen.length === 9);
    expect(seen.filter((entry) => entry.startsWith("a:"))).toEqual(["a:0#1", "a:1#1", "a:1#2", "a:2#1", "a:3#1"]);
    expect(seen.filter((entry) => entry.startsWith("b:"))).toEqual(["b:0#1", "b:1#1", "b:1#2", "b:2#1"]);
    expect(bus.sessionOptions.length).toBeGreaterThan(0);
    expect(bus.receiverOptions).toEqual([]);
  });

  it("creates entities on an explicit ensureTopic/ensureSubscription even with auto-create off", async () => {
    const { bus, broker } = setup({ autoCreate: false });
    await broker.ensureTopic("t");
    await broker.ensureSubscription("t", "s", { maxAttempts: 2 });
    expect(bus.subscription("t", "s").settings.maxDeliveryCount).toBe(2);
    await broker.publish("t", { body: 1 });
    expect(bus.sends).toHaveLength(1);
  });

  it("refuses history replay, which Service Bus does not have", async () => {
    const { bus, broker } = setup();
    await expect(broker.subscribe("t", "s", () => {}, { fromBeginning: true })).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
    expect(bus.adminCalls).toEqual([]);
  });

  it("reports a missing subscription as SubscriptionNotFoundError when auto-create is off", async () => {
    const { bus, broker, errors } = setup({ autoCreate: false });
    const subscription = await broker.subscribe("t", "gone", () => {});
    await waitFor(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(SubscriptionNotFoundError);
    expect(bus.adminCalls).toEqual([]);
    await subscription.close();
  });
});

describe("service bus close", () => {
  it("lets the in-flight handler finish and complete, then starts nothing new", async () => {
    const { bus, broker } = setup();
    const gate = deferred();
    const seen: unknown[] = [];
    const subscription = await broker.subscribe(
      "t",
      "s",
      async (message) => {
        seen.push(message.body);
        await gate.promise;
      },
      { maxConcurrency: 1 },
    );
    await broker.publish("t", { body: 1 });
    await waitFor(() => seen.length === 1);
    await broker.publish("t", { body: 2 });
    const closing = subscription.close();
    setTimeout(() => gate.resolve(), 30);
    await closing;
    expect(seen).toEqual([1]);
    expect(bus.subscription("t", "s").active.map((stored) => JSON.parse(stored.message.body.toString()))).toEqual([2]);
    await subscription.close();
  });

  it("is idempotent, waits for pending publishes, closes the client and then refuses calls", async () => {
    const { bus, broker } = setup();
    const publishes = Array.from({ length: 20 }, (_, i) => broker.publish("t", { body: i }));
    await Promise.all([broker.close(), broker.close()]);
    await Promise.all(publishes);
    expect(bus.sends).toHaveLength(20);
    expect(bus.closed).toBe(true);
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(ClosedError);
    expect(await broker.ping()).toBe(false);
  });
});

describe("service bus with entities the stacks own", () => {
  it("consumes through an entity path that names its topic, where the service has no BROKER_TOPICS entry", async () => {
    const bus = new FakeServiceBus();
    await bus.createTopic("identity-events", {
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: "PT10M",
    });
    await bus.createSubscription("identity-events", "gateway-identity-events", {
      lockDuration: "PT30S",
      maxDeliveryCount: 5,
      requiresSession: false,
      deadLetteringOnMessageExpiration: true,
    });
    const { broker } = open(
      (onError) =>
        new ServiceBusMessageBroker({
          client: bus,
          admin: bus,
          onError,
          autoCreate: false,
          topics: {},
          subscriptions: { "gateway-events": "identity-events/Subscriptions/gateway-identity-events" },
        }),
    );
    const publisher = new ServiceBusMessageBroker({ client: bus, admin: bus, autoCreate: false });
    const seen: unknown[] = [];
    const subscription = await broker.subscribe("logical-topic-unmapped", "gateway-events", async (m) => {
      seen.push(m.body);
    });
    await publisher.publish("identity-events", { body: { user: 1 } });
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([{ user: 1 }]);
    expect(bus.adminCalls).toEqual([
      "createTopic identity-events",
      "createSubscription identity-events/gateway-identity-events",
    ]);
    await subscription.close();
    await publisher.close();
  });

  it("checks health with the data rights it holds, not the namespace's Manage right", async () => {
    const bus = new FakeServiceBus();
    // What Service Bus answers a caller holding only Data Sender/Receiver roles.
    bus.getNamespaceProperties = async () => {
      throw serviceBusError("UnauthorizedAccess");
    };
    await bus.createTopic("t", { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: "PT10M" });
    await bus.createSubscription("t", "s", {
      lockDuration: "PT30S",
      maxDeliveryCount: 5,
      requiresSession: false,
      deadLetteringOnMessageExpiration: true,
    });
    const make = (settings: Partial<ServiceBusBrokerOptions>) =>
      open((onError) => new ServiceBusMessageBroker({ client: bus, admin: bus, onError, ...settings })).broker;
    expect(await make({ autoCreate: false, topics: { events: "t" } }).ping()).toBe(true);
    expect(await make({ autoCreate: false, subscriptions: { mine: "t/Subscriptions/s" } }).ping()).toBe(true);
    // A receiver on an entity that does not exist fails the check.
    expect(await make({ autoCreate: false, subscriptions: { mine: "t/Subscriptions/missing" } }).ping()).toBe(false);
    // Auto-create needs Manage anyway, and asks for the namespace's properties.
    expect(await make({}).ping()).toBe(false);
  });
});
