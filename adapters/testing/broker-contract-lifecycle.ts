import { expect, it } from "vitest";
import { TopicNotFoundError, UnsupportedFeatureError } from "../core/errors.js";
import type { IMessageBroker } from "../core/message-broker.js";
import { deferred, Received, sleep } from "./broker-collector.js";
import type { CapabilityFlag, ContractContext } from "./broker-contract-context.js";

/** How to ask for each capability that has a request, to check an adapter without it refuses. */
const REFUSALS: Partial<Record<CapabilityFlag, (broker: IMessageBroker, topic: string) => Promise<unknown>>> = {
  ordering: (broker, topic) => broker.subscribe(topic, `${topic}-s1`, () => {}, { ordered: true }),
  ttl: (broker, topic) => broker.publish(topic, { body: 1, ttlMs: 60_000 }),
  delay: (broker, topic) => broker.publish(topic, { body: 1, delayMs: 1_000 }),
  visibilityTimeout: (broker, topic) => broker.subscribe(topic, `${topic}-s1`, () => {}, { lockMs: 1_000 }),
  lockRenewal: (broker, topic) => broker.subscribe(topic, `${topic}-s1`, () => {}, { renewLock: true }),
  historyReplay: (broker, topic) => broker.subscribe(topic, `${topic}-s1`, () => {}, { fromBeginning: true }),
  management: (broker, topic) => broker.ensureTopic(topic),
};

/** B21–B28: closing, concurrency, resuming, management and refusals. */
export function defineLifecycleContract(ctx: ContractContext, b26: { messages: number; reason?: string }): void {
  const { timings, capabilities } = ctx;

  ctx.test("B21 closing one subscription leaves others working; no handler call after close", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b21");
    const closedOne = new Received();
    const open = new Received();
    let closed = false;
    let callsAfterClose = 0;
    const first = await broker.subscribe(topic, sub(1), (message) => {
      if (closed) callsAfterClose++;
      closedOne.record(message);
    });
    await broker.subscribe(topic, sub(2), open.handler);
    await first.close();
    closed = true;
    const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { i } })));
    await open.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    await sleep(timings.settleMs);
    expect(callsAfterClose).toBe(0);
    expect(closedOne.unique).toBe(0);
  });

  ctx.test("B22 graceful close: the in-flight handler finishes and is acked, no new deliveries start", async () => {
    const first = await ctx.open();
    const { topic, sub } = ctx.names("b22");
    const { lockMs } = timings;
    await ctx.createSubscription(first, topic, sub(), capabilities.visibilityTimeout ? { lockMs } : {});
    const started = deferred();
    const finished = new Set<string>();
    let closing = false;
    let startedWhileClosing = 0;
    await first.subscribe(
      topic,
      sub(),
      async (message) => {
        if (closing) startedWhileClosing++;
        started.resolve();
        await sleep(300);
        finished.add(message.id);
      },
      { maxConcurrency: 1 },
    );
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await first.publish(topic, { body: { i } })).id);
    await started.promise;
    closing = true;
    await first.close();
    expect(finished.size).toBeGreaterThanOrEqual(1);
    expect(startedWhileClosing).toBe(0);
    const second = await ctx.open();
    const rest = new Received();
    await second.subscribe(topic, sub(), rest.handler);
    const remaining = ids.filter((id) => !finished.has(id));
    await rest.waitForIds(remaining, timings.deliveryTimeoutMs + lockMs * 2);
    await sleep(Math.max(timings.settleMs, lockMs * 1.5));
    for (const id of finished) expect(rest.has(id)).toBe(false);
  });

  ctx.test("B23 maxConcurrency is never exceeded", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b23");
    await ctx.createSubscription(broker, topic, sub());
    await Promise.all(Array.from({ length: 30 }, (_, i) => broker.publish(topic, { body: { i } })));
    const done = new Received();
    let running = 0;
    let peak = 0;
    await broker.subscribe(
      topic,
      sub(),
      async (message) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(20);
        running--;
        done.record(message);
      },
      { maxConcurrency: 3 },
    );
    await done.waitForCount(30, timings.deliveryTimeoutMs);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThanOrEqual(1);
  });

  ctx.test("B24 consumer A stops, consumer B on the same subscription resumes: nothing lost", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b24");
    await ctx.createSubscription(broker, topic, sub());
    const overall = new Received();
    const a = new Received();
    const consumerA = await broker.subscribe(topic, sub(), async (message) => {
      a.record(message);
      overall.record(message);
      await sleep(2);
    });
    const receipts = await Promise.all(Array.from({ length: 100 }, (_, i) => broker.publish(topic, { body: { i } })));
    await a.waitForCount(30, timings.deliveryTimeoutMs);
    await consumerA.close();
    const b = new Received();
    await broker.subscribe(topic, sub(), (message) => {
      b.record(message);
      overall.record(message);
    });
    await overall.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs + timings.lockMs * 2,
    );
    expect(a.unique).toBeLessThan(100);
    expect(b.unique).toBeGreaterThan(0);
  });

  ctx.test("B25 10 concurrent subscribe/close cycles, then 50 messages: all received", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b25");
    let strayCalls = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const consumer = await broker.subscribe(topic, sub(), () => {
          strayCalls++;
          throw new Error("a closed consumer was called");
        });
        await consumer.close();
      }),
    );
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler);
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => broker.publish(topic, { body: { i } })));
    await got.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    expect(strayCalls).toBe(0);
  });

  const b26Title = b26.reason
    ? `B26 ${b26.messages} concurrent publishes then close(): all delivered (scaled from 10,000: ${b26.reason})`
    : `B26 ${b26.messages} concurrent publishes then close(): all delivered`;
  ctx.test(b26Title, async () => {
    const consumerSide = await ctx.open();
    const publisher = await ctx.open();
    const { topic, sub } = ctx.names("b26");
    await ctx.createSubscription(consumerSide, topic, sub());
    const got = new Received();
    await consumerSide.subscribe(topic, sub(), got.handler, { maxConcurrency: 50 });
    const pending = Array.from({ length: b26.messages }, (_, i) => publisher.publish(topic, { body: { i } }));
    await publisher.close();
    const receipts = await Promise.all(pending);
    await got.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs * 2,
    );
    expect(got.unique).toBe(b26.messages);
  });

  ctx.test(
    "B27 publishing to a missing topic with auto-create off is a TopicNotFoundError; concurrent auto-creates are safe",
    async () => {
      const strict = await ctx.open({ autoCreate: false });
      const missing = ctx.names("b27missing");
      await expect(strict.publish(missing.topic, { body: 1 })).rejects.toBeInstanceOf(TopicNotFoundError);
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b27");
      await Promise.all(Array.from({ length: 10 }, () => broker.ensureTopic(topic)));
      await Promise.all(Array.from({ length: 10 }, () => broker.ensureSubscription(topic, sub())));
      const got = new Received();
      await broker.subscribe(topic, sub(), got.handler);
      const { id } = await strict.publish(topic, { body: "the topic exists now" });
      await got.waitForIds([id], timings.deliveryTimeoutMs);
      await sleep(timings.settleMs);
      expect(got.all).toHaveLength(1);
    },
    "management",
  );

  const undeclared = (Object.keys(REFUSALS) as CapabilityFlag[]).filter((flag) => !capabilities[flag]);
  if (undeclared.length === 0) {
    it.skip("B28 an undeclared capability is refused (skipped: every capability with a request is declared)", () => {});
  }
  for (const flag of undeclared) {
    ctx.test(`B28 undeclared capability ${flag} is refused with UnsupportedFeatureError`, async () => {
      const broker = await ctx.open();
      const { topic } = ctx.names(`b28-${flag.toLowerCase()}`);
      const error = await REFUSALS[flag]!(broker, topic).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
    });
  }
}
