import { expect } from "vitest";
import type { IMessageBroker } from "../core/message-broker.js";
import { collectDeadLetters, poisonAwareHandler, Received, sleep, until } from "./broker-collector.js";
import type { ContractContext, DeadLetterBreaker, FaultSeam, NetworkSeam } from "./broker-contract-context.js";
import { countDuplicates, recordFault } from "./fault-report.js";
import type { KillableConsumerFactory } from "./killable-consumer.js";
import { TcpProxy } from "./tcp-proxy.js";

/** Lock of the crash test: long enough to tell "about the lock" from a subscription default of 10 s or more. */
const CRASH_LOCK_MS = 2_000;
/** How long the network cut lasts. */
const CUT_MS = 10_000;
/** What a redelivery may take beyond the lock: a receive poll, a sweep, a scheduling delay. */
const REDELIVERY_MARGIN_MS = 1_500;

/**
 * FC2–FC5 of the fault certification family: what each adapter does when the network drops,
 * consumers come and go, the dead-letter destination fails, or a consumer process is killed.
 * Each records its lost and duplicate counts and recovery time for docs/capabilities.md. A
 * fault an adapter cannot be put through here (no network in one process) is skipped by name
 * with its reason. FC1, the broker restart, needs a private server that keeps its data, so it
 * is a test of its own per adapter (RabbitMQ's F1).
 */
export function defineCertificationContract(ctx: ContractContext): void {
  const { timings } = ctx;
  const seams = ctx.faults;

  ctx.faultTest(
    "FC2 the network drops all traffic for 10 s under load: no acknowledged publish is lost, consumers resume",
    seam(seams?.network),
    async () => {
      const network = (seams!.network as { create: NetworkSeam }).create;
      const proxy = await TcpProxy.start(network.server);
      const { topic, sub } = ctx.names("fc2");
      let client: IMessageBroker | undefined;
      try {
        client = await network.via(proxy.host, proxy.port);
        ctx.adopt(client);
        await ctx.createSubscription(client, topic, sub());
        const deliveries: string[] = [];
        const handled = new Received();
        await client.subscribe(topic, sub(), (message) => {
          deliveries.push(message.id);
          handled.record(message);
        });
        const acknowledged: string[] = [];
        let failed = 0;
        const publishing: Promise<void>[] = [];
        const started = Date.now();
        let restoredAt = 0;
        // One publish every 50 ms: 2 s before the cut, during it, and 2 s after it.
        while (Date.now() - started < CUT_MS + 4_000) {
          const elapsed = Date.now() - started;
          if (elapsed >= 2_000 && restoredAt === 0 && !proxy.isCut) proxy.cut();
          if (elapsed >= 2_000 + CUT_MS && restoredAt === 0) {
            proxy.restore();
            restoredAt = Date.now();
          }
          publishing.push(
            client.publish(topic, { body: { elapsed } }).then(
              (receipt) => {
                acknowledged.push(receipt.id);
              },
              () => {
                failed++;
              },
            ),
          );
          await sleep(50);
        }
        await Promise.all(publishing);
        const publishesSettledMs = Date.now() - restoredAt;
        await handled.waitForIds(acknowledged, timings.deliveryTimeoutMs * 3);
        const allHandledMs = Date.now() - restoredAt;
        // Closed while its connections still reach the broker, before the proxy goes.
        await client.close();
        const after = [...handled.firstSeenAt.values()].filter((at) => at >= restoredAt);
        recordFault(ctx.suite, {
          fault: "network cut",
          lost: acknowledged.filter((id) => !handled.has(id)).length,
          duplicates: countDuplicates(deliveries),
          recoveryMs: after.length > 0 ? Math.min(...after) - restoredAt : undefined,
          note: `${CUT_MS / 1_000} s cut; ${acknowledged.length} publishes acknowledged, ${failed} failed with an error; every publish settled ${publishesSettledMs} ms and every message handled ${allHandledMs} ms after the network came back`,
        });
        expect(acknowledged.length).toBeGreaterThan(0);
        expect(acknowledged.filter((id) => !handled.has(id))).toEqual([]);
      } finally {
        await proxy.close();
      }
    },
  );

  ctx.faultTest(
    "FC3 consumers join and leave while 1,000 messages flow: every message is handled",
    undefined,
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("fc3");
      await ctx.createSubscription(broker, topic, sub());
      const deliveries: string[] = [];
      const handled = new Received();
      const consume = (client: IMessageBroker) =>
        client.subscribe(topic, sub(), (message) => {
          deliveries.push(message.id);
          handled.record(message);
        });
      await consume(broker);
      const ids: string[] = [];
      let second: Awaited<ReturnType<typeof consume>> | undefined;
      for (let chunk = 0; chunk < 10; chunk++) {
        if (chunk === 3) second = await consume(await ctx.open());
        if (chunk === 5) await consume(await ctx.open());
        if (chunk === 7) await second?.close();
        const receipts = await Promise.all(
          Array.from({ length: 100 }, (_, i) => broker.publish(topic, { body: { n: chunk * 100 + i } })),
        );
        ids.push(...receipts.map((receipt) => receipt.id));
        await sleep(20);
      }
      await handled.waitForIds(ids, timings.deliveryTimeoutMs * 2);
      await sleep(timings.settleMs);
      recordFault(ctx.suite, {
        fault: "consumer rebalance",
        lost: ids.filter((id) => !handled.has(id)).length,
        duplicates: countDuplicates(deliveries),
      });
      expect(handled.unique).toBe(1_000);
    },
  );

  ctx.faultTest(
    "FC5 a consumer process killed mid-handler: every message is handled, its own after about the lock time",
    seam(seams?.killable),
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("fc5");
      // Without a lock (RabbitMQ) the broker takes a message back when its consumer's connection drops.
      const lockMs = ctx.capabilities.visibilityTimeout ? CRASH_LOCK_MS : 0;
      const options = lockMs > 0 ? { lockMs } : {};
      await ctx.createSubscription(broker, topic, sub(), options);
      // Lock renewal stays on, as services run: the lock asked for must hold from the first moment.
      const doomed = await (seams!.killable as { create: KillableConsumerFactory }).create(topic, sub(), {
        ...options,
        maxConcurrency: 5,
      });
      const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { i } })));
      await doomed.waitForDeliveries(1, timings.deliveryTimeoutMs);
      await doomed.kill();
      const killedAt = Date.now();
      const held = [...new Set(doomed.received)];
      const deliveries: string[] = [...doomed.received];
      const survivor = new Received();
      await broker.subscribe(
        topic,
        sub(),
        (message) => {
          deliveries.push(message.id);
          survivor.record(message);
        },
        options,
      );
      const ids = receipts.map((receipt) => receipt.id);
      await survivor.waitForIds(ids, timings.deliveryTimeoutMs + lockMs * 3);
      const recoveryMs = Math.max(...held.map((id) => survivor.firstSeenAt.get(id)! - killedAt));
      recordFault(ctx.suite, {
        fault: "process kill",
        lost: ids.filter((id) => !survivor.has(id)).length,
        duplicates: countDuplicates(deliveries),
        recoveryMs,
        note: `${lockMs > 0 ? `lock ${lockMs} ms` : "no lock: taken back on connection loss"}; ${held.length} messages held by the killed consumer`,
      });
      expect(held.length).toBeGreaterThan(0);
      for (const id of held) expect(survivor.deliveriesOf(id)[0]!.attempt).toBeGreaterThanOrEqual(2);
      expect(recoveryMs).toBeLessThanOrEqual(lockMs + REDELIVERY_MARGIN_MS);
    },
  );

  ctx.faultTest(
    "FC4 the dead-letter destination fails: the message stays and is retried, and lands once it is back",
    seam(seams?.breakDeadLetters),
    async () => {
      const broker = await ctx.open();
      const { topic, sub } = ctx.names("fc4");
      const maxAttempts = timings.maxAttempts;
      const locked = ctx.capabilities.visibilityTimeout ? { lockMs: timings.lockMs } : {};
      await ctx.createSubscription(broker, topic, sub(), { maxAttempts, ...locked });
      const repair = await (seams!.breakDeadLetters as { create: DeadLetterBreaker }).create(broker, topic, sub());
      const poisonDeliveries: number[] = [];
      const good = new Received();
      await broker.subscribe<{ poison?: boolean }>(topic, sub(), poisonAwareHandler(poisonDeliveries, good), {
        maxAttempts,
        ...locked,
        backoff: timings.backoff,
      });
      const { id: poisonId } = await broker.publish(topic, { body: { poison: true } });
      const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => broker.publish(topic, { body: { i } })));
      await good.waitForIds(
        receipts.map((receipt) => receipt.id),
        timings.deliveryTimeoutMs,
      );
      // Past its last attempt the dead letter cannot be written, so the message must come back.
      await until(
        () => poisonDeliveries.length > maxAttempts,
        timings.deliveryTimeoutMs + timings.lockMs * 4,
        () => `a delivery beyond attempt ${maxAttempts} (have ${poisonDeliveries.length})`,
      );
      const repairedAt = Date.now();
      await repair();
      const letters = await collectDeadLetters(
        broker,
        topic,
        sub(),
        1,
        timings.deliveryTimeoutMs * 2 + timings.lockMs * 4,
      );
      recordFault(ctx.suite, {
        fault: "dead-letter path failure",
        lost: 0,
        duplicates: 0,
        recoveryMs: Date.now() - repairedAt,
        note: `poison delivered ${poisonDeliveries.length} times with max attempts ${maxAttempts}, then dead-lettered`,
      });
      expect(letters.filter((letter) => letter.id === poisonId)).toHaveLength(1);
    },
  );
}

function seam<T>(value: FaultSeam<T> | undefined): FaultSeam<T> | { readonly absent: string } {
  return value ?? { absent: "the adapter's test file gives no way to cause this fault" };
}
