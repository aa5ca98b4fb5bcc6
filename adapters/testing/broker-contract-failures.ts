import { expect } from "vitest";
import { collectDeadLetters, poisonAwareHandler, Received, sleep, until } from "./broker-collector.js";
import type { ContractContext } from "./broker-contract-context.js";

/** B07–B12: nacks, retries, locks and dead letters. */
export function defineFailureContract(ctx: ContractContext): void {
  const { timings } = ctx;
  const backoff = timings.backoff;

  ctx.test("B07 a handler that throws on first delivery: every message ends acked, attempt >= 2 seen", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b07");
    const got = new Received();
    const acked = new Set<string>();
    await broker.subscribe(
      topic,
      sub(),
      (message) => {
        got.record(message);
        if (message.attempt === 1) throw new Error("first delivery fails on purpose");
        acked.add(message.id);
      },
      { backoff },
    );
    const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { i } })));
    await until(
      () => acked.size === 20,
      timings.deliveryTimeoutMs,
      () => `20 acked messages (have ${acked.size})`,
    );
    const deliveries = got.all.length;
    await sleep(timings.settleMs);
    expect(got.all.length).toBe(deliveries);
    for (const { id } of receipts) {
      expect(Math.max(...got.deliveriesOf(id).map((message) => message.attempt))).toBeGreaterThanOrEqual(2);
    }
    expect(await broker.receiveDeadLetters(topic, sub(), { max: 10, waitMs: 0 })).toEqual([]);
  });

  ctx.test("B08 nack 2 of 100: all 100 received", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b08");
    const acked = new Received();
    const nacked = new Set<number>([17, 62]);
    await broker.subscribe<{ i: number }>(
      topic,
      sub(),
      (message) => {
        if (nacked.has(message.body.i) && message.attempt === 1) throw new Error(`nack ${message.body.i}`);
        acked.record(message);
      },
      { backoff },
    );
    const receipts = await Promise.all(Array.from({ length: 100 }, (_, i) => broker.publish(topic, { body: { i } })));
    await acked.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    expect(acked.unique).toBe(100);
  });

  ctx.test(
    "B09 a handler that stalls past the lock time without renewal: the message is redelivered",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b09");
      const got = new Received();
      const { lockMs } = timings;
      await broker.subscribe(
        topic,
        sub(),
        async (message) => {
          got.record(message);
          if (message.attempt === 1) await sleep(lockMs * 2.5);
        },
        { lockMs, renewLock: false, maxConcurrency: 2 },
      );
      const started = Date.now();
      const { id } = await broker.publish(topic, { body: "stalls" });
      await until(
        () => got.deliveriesOf(id).length >= 2,
        timings.deliveryTimeoutMs + lockMs * 3,
        "a redelivery after the lock expired",
      );
      const [first, second] = got.deliveriesOf(id);
      expect(first!.attempt).toBe(1);
      expect(second!.attempt).toBeGreaterThanOrEqual(2);
      // Redelivered because the lock ran out, not before.
      expect(Date.now() - started).toBeGreaterThanOrEqual(lockMs);
    },
    "visibilityTimeout",
  );

  ctx.test(
    "B10 a handler that runs 3x the lock time with renewal on: processed once",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b10");
      const got = new Received();
      const { lockMs } = timings;
      let finished = 0;
      await broker.subscribe(
        topic,
        sub(),
        async (message) => {
          got.record(message);
          await sleep(lockMs * 3);
          finished++;
        },
        { lockMs, renewLock: true, maxConcurrency: 2 },
      );
      const { id } = await broker.publish(topic, { body: "long" });
      await until(() => finished >= 1, timings.deliveryTimeoutMs + lockMs * 4, "the long handler to finish");
      await sleep(Math.max(timings.settleMs, lockMs * 1.5));
      expect(got.deliveriesOf(id)).toHaveLength(1);
      expect(got.all).toHaveLength(1);
    },
    "lockRenewal",
  );

  ctx.test(
    "B11 poison message with max attempts N: dead-lettered with body, headers, reason; others flow",
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("b11");
      const maxAttempts = timings.maxAttempts;
      const got = new Received<{ poison?: boolean; i?: number }>();
      const good = new Received();
      await broker.subscribe<{ poison?: boolean; i?: number }>(
        topic,
        sub(),
        (message) => {
          got.record(message);
          if (message.body.poison) throw new Error("poison message cannot be handled");
          good.record(message);
        },
        { maxAttempts, backoff },
      );
      const poison = { headers: { "x-case": "poison" }, body: { poison: true } };
      const { id: poisonId } = await broker.publish(topic, poison);
      const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { i } })));
      await good.waitForIds(
        receipts.map((receipt) => receipt.id),
        timings.deliveryTimeoutMs,
      );
      const [letter, ...more] = await collectDeadLetters(broker, topic, sub(), 1, timings.deliveryTimeoutMs);
      expect(more).toEqual([]);
      expect(letter).toBeDefined();
      expect(letter!.id).toBe(poisonId);
      expect(letter!.body).toEqual(poison.body);
      expect(letter!.headers).toEqual(poison.headers);
      expect(letter!.reason).toContain("poison message cannot be handled");
      // The attempts it took, as a field: not the delivery count of the dead-letter copy.
      expect(letter!.attempt).toBe(maxAttempts);
      await sleep(timings.settleMs);
      expect(got.deliveriesOf(poisonId)).toHaveLength(maxAttempts);
    },
  );

  ctx.test("B29 a sub-second retry backoff is honoured: a retry never comes sooner than asked", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b29");
    // Constant 400 ms, whose jitter keeps each delay within 200 to 400 ms.
    const slow = { initialMs: 400, maxMs: 400, multiplier: 1 };
    const least = slow.initialMs / 2;
    const got = new Received();
    const seenAt = new Map<string, number[]>();
    await broker.subscribe(
      topic,
      sub(),
      (message) => {
        got.record(message);
        const times = seenAt.get(message.id) ?? [];
        times.push(Date.now());
        seenAt.set(message.id, times);
        if (message.attempt <= 2) throw new Error(`fails delivery ${message.attempt} on purpose`);
      },
      { backoff: slow, maxAttempts: 5 },
    );
    const receipts = await Promise.all(Array.from({ length: 5 }, (_, i) => broker.publish(topic, { body: { i } })));
    await until(
      () => receipts.every(({ id }) => (seenAt.get(id)?.length ?? 0) >= 3),
      timings.deliveryTimeoutMs,
      "three deliveries of each message",
    );
    for (const { id } of receipts) {
      const times = seenAt.get(id)!;
      for (let i = 1; i < times.length; i++) {
        // A timer may fire a millisecond or two early; anything more is a retry that came too soon.
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(least - 5);
      }
    }
  });

  ctx.test("B12 explicit deadLetter(): dead-lettered once, no retries", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b12");
    const got = new Received<{ reject: boolean }>();
    await broker.subscribe<{ reject: boolean }>(
      topic,
      sub(),
      (message, context) => {
        got.record(message);
        if (message.body.reject) context.deadLetter("rejected: the order has no customer");
      },
      { backoff },
    );
    const { id } = await broker.publish(topic, { body: { reject: true } });
    const fine = await broker.publish(topic, { body: { reject: false } });
    await got.waitForIds([id, fine.id], timings.deliveryTimeoutMs);
    const letters = await collectDeadLetters(broker, topic, sub(), 1, timings.deliveryTimeoutMs);
    expect(letters.map((letter) => letter.id)).toEqual([id]);
    expect(letters[0]!.reason).toContain("rejected: the order has no customer");
    expect(letters[0]!.attempt).toBe(1);
    await sleep(timings.settleMs);
    expect(got.deliveriesOf(id)).toHaveLength(1);
    expect(await broker.receiveDeadLetters(topic, sub(), { max: 10, waitMs: 0 })).toEqual([]);
  });
}

/** Fault tests F3 and F4 (docs/contracts.md, fault tests), run for every adapter. */
export function defineFaultContract(ctx: ContractContext): void {
  const { timings } = ctx;
  const backoff = timings.backoff;

  ctx.test("F3 poison message dead-lettered after N attempts while other traffic keeps flowing", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("f3");
    const maxAttempts = timings.maxAttempts;
    const poisonAt: number[] = [];
    const good = new Received();
    await broker.subscribe<{ poison?: boolean }>(topic, sub(), poisonAwareHandler(poisonAt, good), {
      maxAttempts,
      backoff,
      maxConcurrency: 5,
    });
    const { id: poisonId } = await broker.publish(topic, { body: { poison: true } });
    const ids: string[] = [];
    for (let round = 0; round < 10; round++) {
      const receipts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { round, i } })),
      );
      ids.push(...receipts.map((receipt) => receipt.id));
      await sleep(backoff.initialMs ?? 20);
    }
    await good.waitForIds(ids, timings.deliveryTimeoutMs);
    const letters = await collectDeadLetters(broker, topic, sub(), 1, timings.deliveryTimeoutMs);
    expect(letters.map((letter) => letter.id)).toEqual([poisonId]);
    expect(letters[0]!.attempt).toBe(maxAttempts);
    expect(letters[0]!.reason).toContain("cannot parse the order");
    expect(poisonAt).toHaveLength(maxAttempts);
    const first = poisonAt[0]!;
    const last = poisonAt[poisonAt.length - 1]!;
    const flowedMeanwhile = ids.filter((id) => {
      const seen = good.firstSeenAt.get(id)!;
      return seen >= first && seen <= last;
    });
    expect(flowedMeanwhile.length).toBeGreaterThan(0);
  });

  ctx.test("F4 periodic handler errors (first 2, then every 100th) over 1,000 messages: all delivered", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("f4");
    const acked = new Received();
    let deliveries = 0;
    let failures = 0;
    await broker.subscribe(
      topic,
      sub(),
      (message) => {
        deliveries++;
        if (deliveries <= 2 || deliveries % 100 === 0) {
          failures++;
          throw new Error(`periodic failure at delivery ${deliveries}`);
        }
        acked.record(message);
      },
      { backoff },
    );
    const ids: string[] = [];
    for (let chunk = 0; chunk < 10; chunk++) {
      const receipts = await Promise.all(
        Array.from({ length: 100 }, (_, i) => broker.publish(topic, { body: { n: chunk * 100 + i } })),
      );
      ids.push(...receipts.map((receipt) => receipt.id));
    }
    await acked.waitForIds(ids, timings.deliveryTimeoutMs);
    expect(acked.unique).toBe(1_000);
    expect(failures).toBeGreaterThanOrEqual(12);
    expect(await broker.receiveDeadLetters(topic, sub(), { max: 10, waitMs: 0 })).toEqual([]);
  });
}
