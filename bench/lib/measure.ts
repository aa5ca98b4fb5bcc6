/**
 * Measuring helpers for benchmarks. Every figure is a median over several rounds after a
 * warm-up, because one round on a shared 2-core machine says more about the neighbours than
 * about the code.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("[taskflow] [bench] median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One operation; `i` lets it vary its key. */
export type Operation = (i: number) => Promise<unknown>;

export interface ThroughputOptions {
  /** Operations kept in flight at once; 1 runs them one after another. @default 1 */
  readonly concurrency?: number;
  /** Operations per measured round. @default 20_000 */
  readonly opsPerRound?: number;
  /** Operations run before measuring, to warm up the JIT and the connection. @default opsPerRound / 4 */
  readonly warmupOps?: number;
  /** Measured rounds; the median is reported. @default 5 */
  readonly rounds?: number;
}

/** Wall-clock milliseconds and this process's CPU microseconds for one round. */
export interface RoundCost {
  readonly wallMs: number;
  readonly cpuUs: number;
}

/** Runs `count` operations with `concurrency` in flight and returns the elapsed milliseconds. */
export async function runOps(op: Operation, count: number, concurrency = 1): Promise<number> {
  return (await runRound(op, count, concurrency)).wallMs;
}

/** Runs `count` operations with `concurrency` in flight and returns what the round cost. */
export async function runRound(op: Operation, count: number, concurrency = 1): Promise<RoundCost> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  if (concurrency <= 1) {
    for (let i = 0; i < count; i++) await op(i);
  } else {
    let next = 0;
    const worker = async () => {
      while (next < count) await op(next++);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuUs: cpu.user + cpu.system };
}

export interface Throughput {
  /** Median operations per second over the rounds (wall clock). */
  readonly opsPerSec: number;
  /** Median wall-clock microseconds per operation. */
  readonly usPerOp: number;
  /**
   * Median CPU microseconds this process spent per operation: the client-side cost, which a
   * busy shared machine disturbs far less than the wall clock.
   */
  readonly cpuUsPerOp: number;
  /** Operations per second of each round. */
  readonly rounds: readonly number[];
  readonly costs: readonly RoundCost[];
}

function summarize(opsPerRound: number, costs: readonly RoundCost[]): Throughput {
  const rounds = costs.map((cost) => (opsPerRound / cost.wallMs) * 1000);
  const opsPerSec = median(rounds);
  const cpuUsPerOp = median(costs.map((cost) => cost.cpuUs / opsPerRound));
  return { opsPerSec, usPerOp: 1_000_000 / opsPerSec, cpuUsPerOp, rounds, costs };
}

export async function measureThroughput(op: Operation, options: ThroughputOptions = {}): Promise<Throughput> {
  return (await measureInterleaved({ op }, options)).op!;
}

/**
 * Measures several operations with their rounds interleaved (each round runs every
 * operation, in an order that rotates), so drift in machine load hits all alike and their
 * ratios stay honest.
 */
export async function measureInterleaved<K extends string>(
  ops: Readonly<Record<K, Operation>>,
  options: ThroughputOptions = {},
): Promise<Record<K, Throughput>> {
  const { concurrency = 1, opsPerRound = 20_000, rounds = 5 } = options;
  const warmup = options.warmupOps ?? Math.ceil(opsPerRound / 4);
  const names = Object.keys(ops) as K[];
  const costs = new Map<K, RoundCost[]>(names.map((name) => [name, []]));
  for (const name of names) await runRound(ops[name], warmup, concurrency);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      costs.get(name)!.push(await runRound(ops[name], opsPerRound, concurrency));
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(opsPerRound, costs.get(name)!)])) as Record<
    K,
    Throughput
  >;
}

/** `measureInterleaved` for one subject and its baseline. */
export async function compareThroughput(
  subject: Operation,
  baseline: Operation,
  options: ThroughputOptions = {},
): Promise<{ subject: Throughput; baseline: Throughput }> {
  return measureInterleaved({ subject, baseline }, options);
}
