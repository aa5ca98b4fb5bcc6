import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PublishError } from "../core/errors.js";
import { serverGate } from "../testing/servers.js";
import { createRabbitMqBroker, type RabbitMqBroker } from "./message-broker.js";
import { PrivateRabbitNode, privateNodeAvailable } from "./private-node.js";

/**
 * Fault test F1 (docs/contracts.md, fault tests) on a private RabbitMQ node (never the machine's shared one):
 * the broker is restarted twice while 100 publishers send 10,000 messages; every publish the
 * adapter acknowledged must reach the consumer. A publish that fails with `PublishError` is
 * retried with the same id, as a caller would; the consumer de-duplicates by id.
 */
const PUBLISHERS = 100;
const PER_PUBLISHER = 100;
const TOTAL = PUBLISHERS * PER_PUBLISHER;
const RESTART_AT = [0.2, 0.6].map((share) => Math.floor(TOTAL * share));

const skipReason = privateNodeAvailable()
  ? undefined
  : await serverGate("rabbitmq-server (for a private node)", undefined, "install the rabbitmq-server package");

describe.skipIf(skipReason !== undefined)(
  skipReason ? `F1 broker restarted twice (skipped: ${skipReason})` : "F1 broker restarted twice",
  () => {
    let node: PrivateRabbitNode;
    let publisher: RabbitMqBroker;
    let consumer: RabbitMqBroker;
    const topic = `tf-f1-${Date.now().toString(36)}`;

    beforeAll(async () => {
      node = await PrivateRabbitNode.start();
      const options = { url: node.url, publishTimeoutMs: 30_000, reconnect: { initialMs: 100, maxMs: 500 } };
      publisher = await createRabbitMqBroker(options);
      consumer = await createRabbitMqBroker(options);
    }, 60_000);

    afterAll(async () => {
      await publisher?.close();
      await consumer?.close();
      await node?.destroy();
    }, 60_000);

    it("F1 every acknowledged publish of 10,000 from 100 publishers is received across two restarts", async () => {
      await consumer.ensureSubscription(topic, "f1");
      const received = new Set<string>();
      await consumer.subscribe(
        topic,
        "f1",
        (message) => {
          received.add(message.id);
        },
        { maxConcurrency: 200 },
      );

      const acknowledged = new Set<string>();
      let retriedPublishes = 0;
      const restartsDone: number[] = [];
      let restarting: Promise<void> = Promise.resolve();
      const maybeRestart = () => {
        const next = RESTART_AT[restartsDone.length];
        if (next === undefined || acknowledged.size < next) return;
        restartsDone.push(acknowledged.size);
        restarting = restarting.then(() => node.restart());
      };

      const publishOne = async (id: string) => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            await publisher.publish(topic, { id, body: { id } });
            acknowledged.add(id);
            maybeRestart();
            return;
          } catch (error) {
            if (!(error instanceof PublishError) || attempt >= 5) throw error;
            retriedPublishes += 1;
          }
        }
      };
      await Promise.all(
        Array.from({ length: PUBLISHERS }, async (_, p) => {
          for (let i = 0; i < PER_PUBLISHER; i += 1) await publishOne(`${topic}-${p}-${i}`);
        }),
      );
      await restarting;

      const deadline = Date.now() + 30_000;
      const missing = () => [...acknowledged].filter((id) => !received.has(id));
      while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

      // Both restarts happened while publishes were still outstanding.
      expect(restartsDone).toHaveLength(2);
      expect(Math.max(...restartsDone)).toBeLessThan(TOTAL);
      expect(acknowledged.size).toBe(TOTAL);
      expect(missing()).toEqual([]);
      console.info(
        `F1: ${acknowledged.size} acknowledged, ${received.size} received, ${retriedPublishes} publishes retried, restarts at ${restartsDone.join(", ")}`,
      );
    }, 90_000);

    it("F1 a publish while the broker is down waits within its bound: PublishError past it, delivered once the broker is back", async () => {
      const impatient = await createRabbitMqBroker({ url: node.url, publishTimeoutMs: 1_000 });
      const patient = await createRabbitMqBroker({ url: node.url, publishTimeoutMs: 30_000 });
      try {
        const outageTopic = `${topic}-outage`;
        await consumer.ensureSubscription(outageTopic, "f1");
        const received = new Set<string>();
        await consumer.subscribe(outageTopic, "f1", (message) => {
          received.add(message.id);
        });
        await impatient.publish(outageTopic, { body: "warm" });
        await patient.publish(outageTopic, { body: "warm" });

        await node.stop();
        const started = Date.now();
        await expect(impatient.publish(outageTopic, { body: "lost" })).rejects.toBeInstanceOf(PublishError);
        const waited = Date.now() - started;
        expect(waited).toBeGreaterThanOrEqual(900);
        expect(waited).toBeLessThan(5_000);

        const waiting = patient.publish(outageTopic, { id: `${outageTopic}-waits`, body: "waits for the broker" });
        await node.resume();
        const { id } = await waiting;
        const deadline = Date.now() + 20_000;
        while (!received.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(received.has(id)).toBe(true);
      } finally {
        await impatient.close();
        await patient.close();
      }
    }, 60_000);
  },
);
