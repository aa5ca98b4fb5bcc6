import { describe, expect, it } from "vitest";
import {
  ClosedError,
  InvalidHeadersError,
  MessageTooLargeError,
  PublishError,
  TopicNotFoundError,
  UnsupportedFeatureError,
} from "../core/errors.js";
import type { Message } from "../core/message.js";
import { deferred, sleep } from "../testing/broker-collector.js";
import { FAST_BACKOFF, fakeClientHarness, waitFor } from "../testing/fake-client-harness.js";
import { REASON_HEADER } from "./envelope.js";
import { FakeKafkaCluster, FakeKafkaError } from "./fake-client.js";
import { KAFKA_CAPABILITIES, type KafkaBrokerOptions, KafkaMessageBroker } from "./message-broker.js";

const open = fakeClientHarness<KafkaMessageBroker>();

function setup(options: Partial<KafkaBrokerOptions> = {}) {
  const cluster = new FakeKafkaCluster();
  const { broker, errors } = open(
    (onError) => new KafkaMessageBroker({ client: cluster, partitions: 4, joinTimeoutMs: 200, onError, ...options }),
  );
  return { cluster, broker, errors };
}

const committed = (cluster: FakeKafkaCluster, group: string) => [...cluster.group(group).committed.values()];

/**
 * What is particular to Kafka here: partitions and keys, consumer groups and committed offsets, the wire format of records and dead letters, kafkajs errors. Everything the shared
 * broker contract asks of every adapter runs on the same fake in fake-contract.test.ts.
 */
describe("kafka publish", () => {
  it("writes the body as JSON, the key as record key and headers as UTF-8, creating the topic", async () => {
    const { cluster, broker } = setup();
    const receipt = await broker.publish("orders", {
      id: "m-1",
      key: "order-7",
      headers: { trace: "é✓", empty: "" },
      body: { n: 1 },
    });
    expect(receipt.id).toBe("m-1");
    expect(cluster.topics.get("orders")).toHaveLength(4);
    const [record] = cluster.records("orders");
    expect(record?.key?.toString()).toBe("order-7");
    expect(JSON.parse(record!.value!.toString())).toEqual({ n: 1 });
    expect(record?.headers?.trace).toEqual(Buffer.from("é✓"));
    expect(record?.headers?.["taskflow-id"]).toEqual(Buffer.from("m-1"));
  });

  it("sends the same key to the same partition", async () => {
    const { cluster, broker } = setup();
    for (let i = 0; i < 20; i++) await broker.publish("orders", { key: "k", body: i });
    expect(new Set(cluster.records("orders").map((record) => record.partition)).size).toBe(1);
  });

  it("refuses a message over the limit before any network call", async () => {
    const { cluster, broker } = setup();
    const body = "x".repeat(KAFKA_CAPABILITIES.maxMessageBytes);
    await expect(broker.publish("orders", { body })).rejects.toBeInstanceOf(MessageTooLargeError);
    expect(cluster.connects).toBe(0);
    expect(cluster.sends).toHaveLength(0);
    // At the limit exactly, it goes through (JSON quotes count: 2 bytes).
    await broker.publish("orders", { body: "x".repeat(KAFKA_CAPABILITIES.maxMessageBytes - 2) });
    expect(cluster.sends).toHaveLength(1);
  });

  it("refuses too many headers, reserved header names, TTL and delay with typed errors", async () => {
    const { cluster, broker } = setup();
    const headers = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, "v"]));
    await expect(broker.publish("t", { headers, body: 1 })).rejects.toBeInstanceOf(InvalidHeadersError);
    await expect(broker.publish("t", { headers: { "taskflow-id": "x" }, body: 1 })).rejects.toBeInstanceOf(
      InvalidHeadersError,
    );
    await expect(broker.publish("t", { ttlMs: 1000, body: 1 })).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(broker.publish("t", { delayMs: 1000, body: 1 })).rejects.toBeInstanceOf(UnsupportedFeatureError);
    expect(cluster.sends).toHaveLength(0);
  });

  it("creates the topic and dead-letter topic on an explicit ensureSubscription even with auto-create off", async () => {
    const { cluster, broker } = setup({ autoCreate: false });
    await broker.ensureSubscription("t", "s");
    expect([...cluster.topics.keys()].sort()).toEqual(["t", "t.s.dlq"]);
    await broker.publish("t", { body: 1 });
    expect(cluster.sends).toHaveLength(1);
  });

  it("maps kafkajs errors, looking through retry wrappers, to typed errors", async () => {
    const { cluster, broker } = setup();
    await broker.ensureTopic("t");
    const wrapped = Object.assign(new Error("retries exceeded"), {
      cause: new FakeKafkaError("UNKNOWN_TOPIC_OR_PARTITION"),
    });
    cluster.failSend = () => {
      throw wrapped;
    };
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(TopicNotFoundError);
    cluster.failSend = () => {
      throw Object.assign(new Error("aggregate"), { errors: [new FakeKafkaError("MESSAGE_TOO_LARGE")] });
    };
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(MessageTooLargeError);
    cluster.failSend = () => {
      throw new Error("Connection error: ECONNREFUSED");
    };
    const error = await broker.publish("t", { body: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toBe(
      '[taskflow] [kafka] cannot publish to topic "t": Connection error: ECONNREFUSED',
    );
  });

  it("reports exactly the bad entries of a batch, and a failed send for its own entries only", async () => {
    const { cluster, broker } = setup();
    const big = "x".repeat(KAFKA_CAPABILITIES.maxMessageBytes);
    const messages = Array.from({ length: 600 }, (_, i) => ({ body: i === 3 ? big : i }));
    const result = await broker.publishBatch("t", messages);
    expect(result.failed.map((entry) => entry.index)).toEqual([3]);
    expect(result.failed[0]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(result.published).toHaveLength(599);
    // 599 entries over the 500-record limit of one send.
    expect(cluster.sends.map((send) => send.messages.length)).toEqual([500, 99]);
    // Sent one after the other, in the batch's order.
    expect(cluster.sends.map((send) => JSON.parse(send.messages[0]!.value))).toEqual([0, 501]);

    let calls = 0;
    cluster.failSend = () => {
      if (calls++ === 1) throw new Error("broker gone");
    };
    const second = await broker.publishBatch(
      "t",
      Array.from({ length: 600 }, (_, i) => ({ body: i })),
    );
    expect(second.failed.map((entry) => entry.index)).toEqual(Array.from({ length: 100 }, (_, i) => 500 + i));
    expect(second.failed[0]?.error).toBeInstanceOf(PublishError);
  });
});

describe("kafka subscribe", () => {
  it("delivers the envelope intact and commits only after the handler succeeds", async () => {
    const { cluster, broker } = setup();
    const gate = deferred();
    const seen: Message[] = [];
    await broker.subscribe("orders", "billing", async (message) => {
      seen.push(message);
      await gate.promise;
    });
    const before = Date.now();
    await broker.publish("orders", { id: "m-1", key: "k", headers: { a: "1", empty: "" }, body: { ok: true } });
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({
      id: "m-1",
      topic: "orders",
      key: "k",
      headers: { a: "1", empty: "" },
      body: { ok: true },
      attempt: 1,
    });
    expect(seen[0]?.publishedAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    const partition = cluster.records("orders")[0]!.partition;
    const key = `orders/${partition}`;
    expect(cluster.group("orders.billing").committed.get(key)).toBe(0);
    gate.resolve();
    await waitFor(() => cluster.group("orders.billing").committed.get(key) === 1);
  });

  it("starts a new subscription at the end of the log, and keeps what arrives before its consumer", async () => {
    const { broker } = setup();
    await broker.publish("t", { body: "before" });
    await broker.ensureSubscription("t", "s");
    await broker.publish("t", { body: "between" });
    const bodies: unknown[] = [];
    await broker.subscribe("t", "s", (message) => {
      bodies.push(message.body);
    });
    await broker.publish("t", { body: "after" });
    await waitFor(() => bodies.length === 2);
    await sleep(30);
    expect(bodies.sort()).toEqual(["after", "between"]);
  });

  it("dead-letters after maxAttempts with body, headers and reason, and keeps the rest flowing", async () => {
    const { cluster, broker } = setup();
    const ok: unknown[] = [];
    let poisonAttempts = 0;
    await broker.subscribe(
      "t",
      "s",
      (message) => {
        if (message.body === "poison") {
          poisonAttempts++;
          throw new Error("cannot handle poison");
        }
        ok.push(message.body);
      },
      { maxAttempts: 3, backoff: FAST_BACKOFF },
    );
    await broker.publish("t", { id: "p-1", key: "a", headers: { trace: "t-1" }, body: "poison" });
    await broker.publish("t", { key: "b", body: "fine" });
    await waitFor(() => cluster.records("t.s.dlq").length === 1 && ok.length === 1);
    expect(poisonAttempts).toBe(3);
    const letters = await broker.receiveDeadLetters("t", "s", { max: 5, waitMs: 50 });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      id: "p-1",
      topic: "t",
      key: "a",
      body: "poison",
      headers: { trace: "t-1" },
      attempt: 3,
      reason: "failed 3 of 3 attempts: cannot handle poison",
    });
    // Read once: a second call finds nothing new.
    expect(await broker.receiveDeadLetters("t", "s", { waitMs: 30 })).toEqual([]);
    await waitFor(() => committed(cluster, "t.s").reduce((a, b) => a + b, 0) === 2);
  });

  it("dead-letters once on an explicit deadLetter(reason), whatever the handler then does", async () => {
    const { cluster, broker } = setup();
    let calls = 0;
    await broker.subscribe(
      "t",
      "s",
      (_message, context) => {
        calls++;
        context.deadLetter("customer unknown");
        throw new Error("ignored");
      },
      { backoff: FAST_BACKOFF },
    );
    await broker.publish("t", { body: 1 });
    await waitFor(() => cluster.records("t.s.dlq").length === 1);
    await sleep(60);
    expect(calls).toBe(1);
    expect(cluster.records("t.s.dlq")[0]?.headers?.[REASON_HEADER]).toEqual(Buffer.from("customer unknown"));
  });

  it("dead-letters a record that is not JSON instead of retrying it", async () => {
    const { cluster, broker } = setup();
    let calls = 0;
    await broker.subscribe("t", "s", () => {
      calls++;
    });
    await cluster
      .producer()
      .send({ topic: "t", messages: [{ key: null, value: "{oops", headers: {}, timestamp: "0" }] });
    await waitFor(() => cluster.records("t.s.dlq").length === 1);
    expect(calls).toBe(0);
    expect(cluster.records("t.s.dlq")[0]?.headers?.[REASON_HEADER]?.toString()).toMatch(/is not JSON/);
  });

  it("gives up a handler that runs past lockMs: its signal aborts and the message comes again", async () => {
    const { broker } = setup();
    const attempts: number[] = [];
    let aborted = false;
    await broker.subscribe(
      "t",
      "s",
      async (message, context) => {
        attempts.push(message.attempt);
        if (message.attempt === 1) {
          await sleep(200);
          aborted = context.signal.aborted;
        }
      },
      { lockMs: 50, backoff: FAST_BACKOFF },
    );
    await broker.publish("t", { body: 1 });
    await waitFor(() => attempts.length === 2 && aborted);
    expect(attempts).toEqual([1, 2]);
  });

  it("abandons a retry when the group gives the partition to another consumer, which then gets it", async () => {
    const { cluster, broker } = setup({ partitions: 1 });
    const seen: string[] = [];
    await broker.subscribe(
      "t",
      "s",
      () => {
        seen.push("A");
        throw new Error("A fails");
      },
      { backoff: { initialMs: 400, maxMs: 400 } },
    );
    await broker.publish("t", { body: 1 });
    await waitFor(() => seen.length === 1);
    // B joins while A waits to retry; with one partition, the fake gives it to A still, so
    // take it away from A explicitly, as a rebalance would.
    const second = await broker.subscribe("t", "s", (message) => {
      seen.push(`B${message.attempt}`);
    });
    const group = cluster.group("t.s");
    for (const member of group.members) member.assigned = [];
    group.members.at(-1)!.assigned = [{ topic: "t", partition: 0 }];
    group.members.at(-1)!.joined();
    await waitFor(() => seen.includes("B1"));
    await waitFor(() => group.committed.get("t/0") === 1);
    await sleep(450);
    expect(seen).toEqual(["A", "B1"]);
    await second.close();
  });

  it("reports a consumer crash through onError", async () => {
    const { cluster, broker, errors } = setup();
    await broker.subscribe("t", "s", () => {});
    cluster.group("t.s").members[0]!.crash(new Error("coordinator not available"), true);
    expect(errors.map((error) => error.message)).toEqual([
      '[taskflow] [kafka] the consumer of subscription "s" stopped and is restarting: coordinator not available',
    ]);
  });

  it("reports a failed commit without failing the consumer; the message is delivered again", async () => {
    const { cluster, broker, errors } = setup({ partitions: 1 });
    let fail = true;
    cluster.failCommit = () => {
      if (fail) {
        fail = false;
        throw new Error("coordinator moved");
      }
    };
    const seen: unknown[] = [];
    const first = await broker.subscribe("t", "s", (message) => {
      seen.push(message.body);
    });
    await broker.publish("t", { body: "a" });
    await waitFor(() => errors.length === 1);
    expect(errors[0]?.message).toMatch(/cannot commit offset 0 of partition 0 .*coordinator moved/);
    await first.close();
    await broker.subscribe("t", "s", (message) => {
      seen.push(message.body);
    });
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(["a", "a"]);
  });
});

describe("kafka close", () => {
  it("lets the in-flight handler finish and commit, and starts nothing new", async () => {
    const { cluster, broker } = setup({ partitions: 1 });
    const gate = deferred();
    const seen: unknown[] = [];
    const subscription = await broker.subscribe("t", "s", async (message) => {
      seen.push(message.body);
      if (message.body === 1) await gate.promise;
    });
    await broker.publish("t", { body: 1 });
    await broker.publish("t", { body: 2 });
    await waitFor(() => seen.length === 1);
    const closing = subscription.close();
    setTimeout(() => gate.resolve(), 30);
    await closing;
    expect(cluster.group("t.s").committed.get("t/0")).toBe(1);
    await sleep(30);
    expect(seen).toEqual([1]);
    await subscription.close();
  });

  it("is idempotent, waits for pending publishes, and then refuses calls with ClosedError", async () => {
    const { cluster, broker } = setup();
    const publishes = Array.from({ length: 50 }, (_, i) => broker.publish("t", { body: i }));
    await Promise.all([broker.close(), broker.close()]);
    await Promise.all(publishes);
    expect(cluster.records("t")).toHaveLength(50);
    await expect(broker.publish("t", { body: 1 })).rejects.toBeInstanceOf(ClosedError);
    await expect(broker.subscribe("t", "s", () => {})).rejects.toBeInstanceOf(ClosedError);
    expect(await broker.ping()).toBe(false);
  });
});
