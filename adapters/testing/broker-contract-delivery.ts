import { expect } from "vitest";
import { InvalidHeadersError, MessageTooLargeError } from "../core/errors.js";
import type { OutgoingMessage } from "../core/message.js";
import { messageSize } from "../core/validate.js";
import { Received, sleep } from "./broker-collector.js";
import type { ContractContext } from "./broker-contract-context.js";

/** B01–B06: what arrives, and where. */
export function defineDeliveryContract(ctx: ContractContext): void {
  const { timings, capabilities } = ctx;

  ctx.test("B01 round trip of 100 messages: body, headers, id intact", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b01");
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler);
    const sent: OutgoingMessage[] = Array.from({ length: 100 }, (_, i) => ({
      ...(i % 2 === 0 ? { id: `${topic}-m${i}` } : {}),
      ...(i % 3 === 0 ? { key: `k${i % 5}` } : {}),
      headers: { "x-index": String(i), traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01` },
      body: { i, text: `message ${i}`, nested: { list: [i, null, true, 1.5], empty: {} } },
    }));
    const receipts = await Promise.all(sent.map((message) => broker.publish(topic, message)));
    await got.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    sent.forEach((message, i) => {
      const receipt = receipts[i]!;
      if (message.id !== undefined) expect(receipt.id).toBe(message.id);
      const received = got.byId.get(receipt.id)!;
      expect(received.topic).toBe(topic);
      expect(received.body).toEqual(message.body);
      expect(received.headers).toEqual(message.headers);
      expect(received.key).toBe(message.key);
      expect(received.attempt).toBeGreaterThanOrEqual(1);
      expect(received.publishedAt).toBeInstanceOf(Date);
      expect(Math.abs(received.publishedAt.getTime() - Date.now())).toBeLessThan(60_000);
    });
    expect(new Set(receipts.map((receipt) => receipt.id)).size).toBe(100);
  });

  ctx.test("B02 messages published before the consumer starts (subscription exists) are all received", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b02");
    await ctx.createSubscription(broker, topic, sub());
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => broker.publish(topic, { body: { i } })));
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler);
    await got.waitForIds(
      receipts.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    expect(got.unique).toBe(50);
  });

  const b03Title = capabilities.historyReplay
    ? "B03 a subscription created after a publish receives it (history replay declared)"
    : "B03 a subscription created after a publish does not receive it";
  ctx.test(b03Title, async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b03");
    if (capabilities.management) await broker.ensureTopic(topic);
    const before = await broker.publish(topic, { body: "before" });
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler, capabilities.historyReplay ? { fromBeginning: true } : {});
    const after = await broker.publish(topic, { body: "after" });
    await got.waitForIds(capabilities.historyReplay ? [before.id, after.id] : [after.id], timings.deliveryTimeoutMs);
    await sleep(timings.settleMs);
    expect(got.has(before.id)).toBe(capabilities.historyReplay);
  });

  ctx.test("B04 fan-out: two subscriptions each receive all 50", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b04");
    const first = new Received();
    const second = new Received();
    await broker.subscribe(topic, sub(1), first.handler);
    await broker.subscribe(topic, sub(2), second.handler);
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => broker.publish(topic, { body: { i } })));
    const ids = receipts.map((receipt) => receipt.id);
    await Promise.all([
      first.waitForIds(ids, timings.deliveryTimeoutMs),
      second.waitForIds(ids, timings.deliveryTimeoutMs),
    ]);
    expect(first.ids()).toEqual(new Set(ids));
    expect(second.ids()).toEqual(new Set(ids));
  });

  ctx.test("B05 competing consumers: 300 messages over 3 consumers, each received once overall, spread", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b05");
    const consumers = [new Received(), new Received(), new Received()];
    const overall = new Received();
    for (const consumer of consumers) {
      await broker.subscribe(topic, sub(), async (message) => {
        consumer.record(message);
        overall.record(message);
        await sleep(1);
      });
    }
    const receipts = await Promise.all(Array.from({ length: 300 }, (_, i) => broker.publish(topic, { body: { i } })));
    const ids = receipts.map((receipt) => receipt.id);
    await overall.waitForIds(ids, timings.deliveryTimeoutMs);
    await sleep(timings.settleMs);
    expect(overall.ids()).toEqual(new Set(ids));
    const working = consumers.filter((consumer) => consumer.unique > 0).length;
    expect(working).toBeGreaterThanOrEqual(2);
  });

  ctx.test("B06 topics are isolated", async () => {
    const broker = await ctx.open();
    const one = ctx.names("b06a");
    const two = ctx.names("b06b");
    const gotOne = new Received();
    const gotTwo = new Received();
    await broker.subscribe(one.topic, one.sub(), gotOne.handler);
    await broker.subscribe(two.topic, two.sub(), gotTwo.handler);
    const sentOne = await Promise.all(Array.from({ length: 10 }, (_, i) => broker.publish(one.topic, { body: { i } })));
    const sentTwo = await Promise.all(Array.from({ length: 10 }, (_, i) => broker.publish(two.topic, { body: { i } })));
    await gotOne.waitForIds(
      sentOne.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    await gotTwo.waitForIds(
      sentTwo.map((receipt) => receipt.id),
      timings.deliveryTimeoutMs,
    );
    await sleep(timings.settleMs);
    expect(gotOne.ids()).toEqual(new Set(sentOne.map((receipt) => receipt.id)));
    expect(gotTwo.ids()).toEqual(new Set(sentTwo.map((receipt) => receipt.id)));
    expect(gotOne.all.every((message) => message.topic === one.topic)).toBe(true);
    expect(gotTwo.all.every((message) => message.topic === two.topic)).toBe(true);
  });
}

/** B16–B18: what is refused before sending, and what survives the trip. */
export function definePublishContract(ctx: ContractContext): void {
  const { timings, capabilities } = ctx;

  ctx.test("B16 a message at the size limit succeeds; limit + 1 fails with MessageTooLargeError", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b16");
    const limit = capabilities.maxMessageBytes;
    // A JSON string body measures its length plus the two quotes.
    const atLimit = { body: "x".repeat(limit - 2) };
    const overLimit = { body: "x".repeat(limit - 1) };
    expect(messageSize(atLimit)).toBe(limit);
    const got = new Received<string>();
    await broker.subscribe(topic, sub(), got.handler);
    const receipt = await broker.publish(topic, atLimit);
    const refused = await broker.publish(topic, overLimit).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(MessageTooLargeError);
    expect((refused as MessageTooLargeError).size).toBe(limit + 1);
    expect((refused as MessageTooLargeError).limit).toBe(limit);
    await got.waitForIds([receipt.id], timings.deliveryTimeoutMs);
    await sleep(timings.settleMs);
    expect(got.byId.get(receipt.id)!.body.length).toBe(limit - 2);
    expect(got.unique).toBe(1);
  });

  ctx.test("B17 batch publish with one bad entry reports exactly that entry", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b17");
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler);
    const batch: OutgoingMessage[] = [0, 1, 2, 3, 4].map((i) => ({
      body: i === 2 ? "x".repeat(capabilities.maxMessageBytes) : { i },
    }));
    const result = await broker.publishBatch(topic, batch);
    expect(result.failed.map((failure) => failure.index)).toEqual([2]);
    expect(result.failed[0]!.error).toBeInstanceOf(MessageTooLargeError);
    expect(result.published.map((entry) => entry.index).sort()).toEqual([0, 1, 3, 4]);
    const ids = result.published.map((entry) => entry.id);
    await got.waitForIds(ids, timings.deliveryTimeoutMs);
    await sleep(timings.settleMs);
    expect(got.ids()).toEqual(new Set(ids));
  });

  ctx.test("B18 unicode and empty header values round-trip; too many headers is an InvalidHeadersError", async () => {
    const broker = await ctx.open();
    const { topic, sub } = ctx.names("b18");
    const got = new Received();
    await broker.subscribe(topic, sub(), got.handler);
    const text = "Grüße, 世界, Ωμέγα, \u{1D11E}, العربية";
    const headers = { "x-unicode": text, "x-empty": "", "x-quote": `"quoted" 'and' \\slashed` };
    const receipt = await broker.publish(topic, { headers, body: { text } });
    await got.waitForIds([receipt.id], timings.deliveryTimeoutMs);
    const received = got.byId.get(receipt.id)!;
    expect(received.headers).toEqual(headers);
    expect(received.body).toEqual({ text });
    const tooMany = Object.fromEntries(
      Array.from({ length: capabilities.maxHeaders + 1 }, (_, i) => [`x-h${i}`, String(i)]),
    );
    await expect(broker.publish(topic, { headers: tooMany, body: 1 })).rejects.toBeInstanceOf(InvalidHeadersError);
  });
}
