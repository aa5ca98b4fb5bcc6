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

/** Nearest-rank percentile, `p` in 0..100. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("[taskflow] [bench] percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new Error(`[taskflow] [bench] percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
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

/** Runs `count` operations with `concurrency` in flight and returns the elapsed milliseconds. */
export async function runOps(op: Operation, count: number, concurrency = 1): Promise<number> {
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
  return performance.now() - started;
}

export interface Throughput {
  /** Median operations per second over the rounds. */
  readonly opsPerSec: number;
  /** Median microseconds per operation (wall clock divided by operations). */
  readonly usPerOp: number;
  readonly rounds: readonly number[];
}

function summarize(opsPerRound: number, elapsedMs: readonly number[]): Throughput {
  const rounds = elapsedMs.map((ms) => (opsPerRound / ms) * 1000);
  const opsPerSec = median(rounds);
  return { opsPerSec, usPerOp: 1_000_000 / opsPerSec, rounds };
}

export async function measureThroughput(op: Operation, options: ThroughputOptions = {}): Promise<Throughput> {
  const { concurrency = 1, opsPerRound = 20_000, rounds = 5 } = options;
  await runOps(op, options.warmupOps ?? Math.ceil(opsPerRound / 4), concurrency);
  const elapsed: number[] = [];
  for (let round = 0; round < rounds; round++) elapsed.push(await runOps(op, opsPerRound, concurrency));
  return summarize(opsPerRound, elapsed);
}

/**
 * Measures `subject` against `baseline` with their rounds interleaved (baseline, subject,
 * baseline, ...), so drift in machine load hits both alike and their ratio stays honest.
 */
export async function compareThroughput(
  subject: Operation,
  baseline: Operation,
  options: ThroughputOptions = {},
): Promise<{ subject: Throughput; baseline: Throughput }> {
  const { concurrency = 1, opsPerRound = 20_000, rounds = 5 } = options;
  const warmup = options.warmupOps ?? Math.ceil(opsPerRound / 4);
  await runOps(baseline, warmup, concurrency);
  await runOps(subject, warmup, concurrency);
  const subjectMs: number[] = [];
  const baselineMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      baselineMs.push(await runOps(baseline, opsPerRound, concurrency));
      subjectMs.push(await runOps(subject, opsPerRound, concurrency));
    } else {
      subjectMs.push(await runOps(subject, opsPerRound, concurrency));
      baselineMs.push(await runOps(baseline, opsPerRound, concurrency));
    }
  }
  return { subject: summarize(opsPerRound, subjectMs), baseline: summarize(opsPerRound, baselineMs) };
}
