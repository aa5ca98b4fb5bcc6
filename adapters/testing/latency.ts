/** Latency figures for tests that bound how long an operation may take under a fault. */

/** Nearest-rank percentile, `p` in 0..100. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("[taskflow] [tests] percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new Error(`[taskflow] [tests] percentile must be within 0..100, got ${p}`);
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
