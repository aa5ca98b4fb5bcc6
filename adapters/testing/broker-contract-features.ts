import { expect } from "vitest";
import { Received, sleep, until } from "./broker-collector.js";
import type { ContractContext } from "./broker-contract-context.js";

interface Sequenced {
  readonly key: string;
  readonly seq: number;
}

/** B13–B15: per-key order and dedupe, where declared. */
export function defineFeatureContract(ctx: ContractContext): void {
  const { timings } = ctx;

  ctx.test(
    "B13 per-key order: 1000 messages over 10 keys are handled in order within each key",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b13");
      const got = new Received<Sequenced>();
      const running = new Map<string, number>();
      let overlaps = 0;
      await broker.subscribe<Sequenced>(
        topic,
        sub(),
        async (message) => {
          const key = message.body.key;
          const now = (running.get(key) ?? 0) + 1;
          running.set(key, now);
          if (now > 1) overlaps++;
          // Uneven handler times: if two messages of a key ran at once, the later could finish first.
          await sleep((message.body.seq * 7) % 4);
          running.set(key, (running.get(key) ?? 1) - 1);
          got.record(message);
        },
        // More handlers than keys, so only per-key sequencing keeps a key's messages apart.
        { ordered: true, maxConcurrency: 50 },
      );
      const keys = Array.from({ length: 10 }, (_, k) => `${topic}-k${k}`);
      // Each key is published in sequence; keys are published side by side.
      await Promise.all(
        keys.map(async (key) => {
          for (let seq = 0; seq < 100; seq++) await broker.publish(topic, { key, body: { key, seq } });
        }),
      );
      await got.waitForCount(1_000, timings.deliveryTimeoutMs);
      for (const key of keys) {
        const order = [...got.byId.values()].filter((message) => message.key === key).map((m) => m.body.seq);
        expect(order).toEqual(Array.from({ length: 100 }, (_, seq) => seq));
      }
      expect(overlaps).toBe(0);
    },
    "ordering",
  );

  ctx.test(
    "B14 nack of message k: k is redelivered before k+1 of the same key",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b14");
      const log: { key: string; seq: number; attempt: number }[] = [];
      const acked = new Received<Sequenced>();
      const key = `${topic}-k`;
      await broker.subscribe<Sequenced>(
        topic,
        sub(),
        (message) => {
          log.push({ key: message.body.key, seq: message.body.seq, attempt: message.attempt });
          if (message.body.key === key && message.body.seq === 3 && message.attempt === 1) {
            throw new Error("nack message 3");
          }
          acked.record(message);
        },
        { ordered: true, maxConcurrency: 5, backoff: timings.backoff },
      );
      for (let seq = 0; seq < 10; seq++) {
        await broker.publish(topic, { key, body: { key, seq } });
        await broker.publish(topic, { key: `${key}-other`, body: { key: `${key}-other`, seq } });
      }
      await acked.waitForCount(20, timings.deliveryTimeoutMs);
      const ofKey = log.filter((entry) => entry.key === key);
      const retry = ofKey.findIndex((entry) => entry.seq === 3 && entry.attempt >= 2);
      const next = ofKey.findIndex((entry) => entry.seq === 4);
      expect(retry).toBeGreaterThan(-1);
      expect(next).toBeGreaterThan(retry);
      const ackedOrder = [...acked.byId.values()].filter((m) => m.body.key === key).map((m) => m.body.seq);
      expect(ackedOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
    "ordering",
  );

  ctx.test(
    "B15 the same message id published twice inside the dedupe window is delivered once",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b15");
      const got = new Received();
      await broker.subscribe(topic, sub(), got.handler);
      const id = `${topic}-once`;
      await broker.publish(topic, { id, body: { copy: 1 } });
      await broker.publish(topic, { id, body: { copy: 2 } });
      const control = await broker.publish(topic, { body: "control" });
      await got.waitForIds([id, control.id], timings.deliveryTimeoutMs);
      await sleep(timings.settleMs);
      expect(got.deliveriesOf(id)).toHaveLength(1);
      expect(got.byId.get(id)!.body).toEqual({ copy: 1 });
    },
    "dedupe",
  );
}

/** B19 and B20: message TTL and delayed delivery, where declared. */
export function defineTimingContract(ctx: ContractContext): void {
  const { timings } = ctx;

  ctx.test(
    "B19 message TTL: expired messages are not delivered",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b19");
      await ctx.createSubscription(broker, topic, sub());
      const expiring = await broker.publish(topic, { body: "expires", ttlMs: timings.ttlMs });
      const lasting = await broker.publish(topic, { body: "lasts", ttlMs: 60_000 });
      const forever = await broker.publish(topic, { body: "no ttl" });
      await sleep(timings.ttlMs * 3);
      const got = new Received();
      await broker.subscribe(topic, sub(), got.handler);
      await got.waitForIds([lasting.id, forever.id], timings.deliveryTimeoutMs);
      await sleep(timings.settleMs);
      expect(got.has(expiring.id)).toBe(false);
    },
    "ttl",
  );

  ctx.test(
    "B20 delayed delivery: not delivered early",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b20");
      const got = new Received();
      await broker.subscribe(topic, sub(), got.handler);
      const publishedAt = Date.now();
      const delayed = await broker.publish(topic, { body: "later", delayMs: timings.delayMs });
      const control = await broker.publish(topic, { body: "now" });
      await got.waitForIds([control.id], timings.deliveryTimeoutMs);
      // The undelayed message overtakes the delayed one (on a fast broker, well before the delay ends).
      expect(got.all[0]!.id).toBe(control.id);
      await until(() => got.has(delayed.id), timings.deliveryTimeoutMs + timings.delayMs, "the delayed message");
      expect(got.firstSeenAt.get(delayed.id)! - publishedAt).toBeGreaterThanOrEqual(timings.delayMs);
    },
    "delay",
  );
}
