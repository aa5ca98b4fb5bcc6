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
