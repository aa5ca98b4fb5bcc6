import { connect } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriptionNotFoundError } from "../core/errors.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { gatedTitle } from "../testing/servers.js";
import { createRabbitMqBroker } from "./message-broker.js";
import { retryTier } from "./names.js";
import { CreatedNames, rabbitGate, TEST_RABBITMQ_URL } from "./test-server.js";

/** What RabbitMQ-specific design adds beyond the shared contract: retry tiers, foreign messages. */
const skip = await rabbitGate();
const run = Date.now().toString(36);

describe.skipIf(skip !== undefined)(gatedTitle("rabbitmq adapter specifics", skip), () => {
  const created = new CreatedNames();
  let broker: IMessageBroker;

  beforeAll(async () => {
    broker = created.track(await createRabbitMqBroker({ url: TEST_RABBITMQ_URL, publishTimeoutMs: 5_000 }));
  });

  afterAll(async () => {
    await broker?.close();
    await created.deleteAll(TEST_RABBITMQ_URL);
  }, 30_000);

  it("a nacked message comes back after its backoff tier, while later messages pass it", async () => {
    const topic = `tf-rq-retry-${run}`;
    const seen: { body: string; attempt: number; at: number }[] = [];
    const backoff = { initialMs: 500, maxMs: 500, multiplier: 1 };
    await broker.subscribe<string>(
      topic,
      "s",
      (message) => {
        seen.push({ body: message.body, attempt: message.attempt, at: Date.now() });
        if (message.body === "fails once" && message.attempt === 1) throw new Error("not yet");
      },
      { backoff },
    );
    await broker.publish(topic, { body: "fails once" });
    await broker.publish(topic, { body: "passes" });
    const deadline = Date.now() + 5_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((entry) => [entry.body, entry.attempt])).toEqual([
      ["fails once", 1],
      ["passes", 1],
      ["fails once", 2],
    ]);
    // Backoff of 500 ms with jitter in its upper half lands in the 200 or 500 ms tier.
    const waited = seen[2]!.at - seen[0]!.at;
    expect(waited).toBeGreaterThanOrEqual(Math.min(retryTier(250), retryTier(500)) - 20);
    expect(waited).toBeLessThan(2_000);
  });

  it("a message that is not JSON, from another publisher, is dead-lettered with the reason", async () => {
    const topic = `tf-rq-foreign-${run}`;
    const bodies: unknown[] = [];
    await broker.subscribe(topic, "s", (message) => {
      bodies.push(message.body);
    });
    const connection = await connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(topic, "", Buffer.from("<xml/>"), { messageId: `${topic}-xml` });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await broker.publish(topic, { body: { ok: true } });
    const letters = [];
    const deadline = Date.now() + 5_000;
    while (letters.length === 0 && Date.now() < deadline) {
      letters.push(...(await broker.receiveDeadLetters(topic, "s", { waitMs: 200 })));
    }
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: `${topic}-xml`, body: "<xml/>" });
    expect(letters[0]!.reason).toMatch(/not JSON/);
    expect(bodies).toEqual([{ ok: true }]);
  });

  it("a consumer whose queue is deleted under it declares the queue again and resumes", async () => {
    const topic = `tf-rq-deleted-${run}`;
    const bodies: unknown[] = [];
    await broker.subscribe(topic, "s", (message) => {
      bodies.push(message.body);
    });
    const connection = await connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createChannel();
      await channel.deleteQueue(`${topic}.s`);
    } finally {
      await connection.close();
    }
    const deadline = Date.now() + 8_000;
    while (!bodies.includes("after") && Date.now() < deadline) {
      await broker.publish(topic, { body: "after" });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(bodies).toContain("after");
  });

  it("with auto-create off, subscribing to a missing subscription is a SubscriptionNotFoundError", async () => {
    const strict = await createRabbitMqBroker({ url: TEST_RABBITMQ_URL, autoCreate: false });
    try {
      await expect(strict.subscribe(`tf-rq-none-${run}`, "s", () => {})).rejects.toBeInstanceOf(
        SubscriptionNotFoundError,
      );
    } finally {
      await strict.close();
    }
  });
});
