import { randomUUID } from "node:crypto";
import type { IMessageBroker, Subscription } from "../../adapters/core/message-broker.js";
import type { Operation } from "../lib/measure.js";
import type { BenchResult } from "../lib/report.js";

/**
 * One broker in `brokers.bench.ts`: publish + consume through the adapter against the raw
 * client doing the same work in the same run. `run` resolves to its result rows, or to a
 * reason when its server or emulator is not available here.
 */
export interface BrokerCase {
  readonly name: string;
  run(): Promise<readonly BenchResult[] | { readonly skipped: string }>;
}

/** Resolves the wait of each message id when its consumer sees it. */
export class Arrivals {
  private readonly waiting = new Map<string, () => void>();
  expect(id: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }
  arrived(id: string): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.();
  }
}

export const BENCH_HEADERS = {
  traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`,
  "x-correlation-id": "bench",
};

export const benchBody = (i: number) => ({ i, kind: "task.updated", data: { title: `task ${i}`, tags: ["a", "b"] } });

/** The two rows every case reports: wall clock and client CPU per message, raw client as baseline. */
export function rows(
  label: string,
  baselineName: string,
  adapter: { usPerOp: number; cpuUsPerOp: number },
  raw: { usPerOp: number; cpuUsPerOp: number },
): BenchResult[] {
  return [
    {
      name: `${label}, wall clock`,
      value: adapter.usPerOp,
      unit: "wall µs/msg (lower is better)",
      baseline: { name: baselineName, value: raw.usPerOp },
    },
    {
      name: `${label}, client CPU`,
      value: adapter.cpuUsPerOp,
      unit: "CPU µs/msg (lower is better)",
      baseline: { name: baselineName, value: raw.cpuUsPerOp },
    },
  ];
}

/**
 * The adapter side of a case: a consumer on a fresh topic, and an operation that publishes
 * one message through `broker` and resolves when that consumer has seen it.
 */
export async function adapterRoundTrip(broker: IMessageBroker, topicPrefix: string, concurrency: number) {
  const topic = `${topicPrefix}-${randomUUID().slice(0, 8)}`;
  const arrivals = new Arrivals();
  const subscription: Subscription = await broker.subscribe(topic, "bench", (message) => arrivals.arrived(message.id), {
    maxConcurrency: concurrency,
  });
  const op: Operation = async (i) => {
    const id = randomUUID();
    const seen = arrivals.expect(id);
    await broker.publish(topic, { id, headers: BENCH_HEADERS, body: benchBody(i) });
    await seen;
  };
  return { topic, arrivals, subscription, op };
}

interface Side {
  close(): Promise<void>;
}

/** Opens the adapter side, then the raw side, runs `measure` over both and closes both. */
export async function withSides<A extends Side, R extends Side, T>(
  openAdapter: () => Promise<A>,
  openRaw: () => Promise<R>,
  measure: (adapter: A, raw: R) => Promise<T>,
): Promise<T> {
  const adapter = await openAdapter();
  const raw = await openRaw();
  try {
    return await measure(adapter, raw);
  } finally {
    await adapter.close();
    await raw.close();
  }
}

/** Starts an emulator for a case (a failure to start makes the case a skip), runs it, stops it. */
export async function onEmulator<E extends { stop(): Promise<void> }>(
  start: () => Promise<E>,
  run: (emulator: E) => Promise<readonly BenchResult[]>,
): Promise<readonly BenchResult[] | { readonly skipped: string }> {
  let emulator: E;
  try {
    emulator = await start();
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
  try {
    return await run(emulator);
  } finally {
    await emulator.stop();
  }
}
