/**
 * Instance sizing: the application declares vCPU and memory once (services/platform.ts) and
 * each cloud rounds up to the nearest combination it accepts, never down, so a service never
 * gets less than it asked for.
 */

export interface ComputeSize {
  /** In the unit the cloud's API takes: Fargate CPU units ("256"), Cloud Run CPUs ("1"). */
  readonly cpu: string;
  /** In the unit the cloud's API takes: Fargate MiB ("512"), Cloud Run quantity ("512Mi"). */
  readonly memory: string;
}

interface FargateRow {
  readonly cpuUnits: number;
  readonly minMb: number;
  readonly maxMb: number;
  readonly stepMb: number;
  /** Fargate's smallest size takes exactly these memory values. */
  readonly only?: readonly number[];
}

/** Fargate's task size table (Linux). */
const FARGATE: readonly FargateRow[] = [
  { cpuUnits: 256, minMb: 512, maxMb: 2048, stepMb: 512, only: [512, 1024, 2048] },
  { cpuUnits: 512, minMb: 1024, maxMb: 4096, stepMb: 1024 },
  { cpuUnits: 1024, minMb: 2048, maxMb: 8192, stepMb: 1024 },
  { cpuUnits: 2048, minMb: 4096, maxMb: 16_384, stepMb: 1024 },
  { cpuUnits: 4096, minMb: 8192, maxMb: 30_720, stepMb: 1024 },
  { cpuUnits: 8192, minMb: 16_384, maxMb: 61_440, stepMb: 4096 },
  { cpuUnits: 16_384, minMb: 32_768, maxMb: 122_880, stepMb: 8192 },
];

/** Cloud Run's CPU values (whole CPUs, so request concurrency above 1 is allowed) and memory range per CPU. */
const CLOUD_RUN: readonly { readonly cpus: number; readonly minMb: number; readonly maxMb: number }[] = [
  { cpus: 1, minMb: 512, maxMb: 4096 },
  { cpus: 2, minMb: 512, maxMb: 8192 },
  { cpus: 4, minMb: 2048, maxMb: 16_384 },
  { cpus: 6, minMb: 4096, maxMb: 24_576 },
  { cpus: 8, minMb: 4096, maxMb: 32_768 },
];
const CLOUD_RUN_MEMORY_STEP_MB = 128;

function checkRequest(cloud: string, cpu: number, memoryMb: number): void {
  if (!(cpu > 0) || !(memoryMb > 0)) {
    throw new Error(`[taskflow] [sizing] ${cloud}: cpu (${cpu}) and memoryMb (${memoryMb}) must be positive numbers`);
  }
}

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

/** The smallest Fargate task size with at least `cpu` vCPU and `memoryMb` MiB. */
export function fargateSize(cpu: number, memoryMb: number): ComputeSize {
  checkRequest("fargate", cpu, memoryMb);
  for (const row of FARGATE) {
    if (row.cpuUnits < cpu * 1024 || row.maxMb < memoryMb) continue;
    const memory = row.only
      ? (row.only.find((m) => m >= memoryMb) as number)
      : Math.max(row.minMb, roundUp(memoryMb, row.stepMb));
    return { cpu: String(row.cpuUnits), memory: String(memory) };
  }
  throw new Error(
    `[taskflow] [sizing] fargate: no task size has ${cpu} vCPU and ${memoryMb} MiB (max 16 vCPU, 120 GiB)`,
  );
}

/** The smallest Cloud Run container size with at least `cpu` CPUs and `memoryMb` MiB. */
export function cloudRunSize(cpu: number, memoryMb: number): ComputeSize {
  checkRequest("cloud run", cpu, memoryMb);
  for (const row of CLOUD_RUN) {
    if (row.cpus < cpu || row.maxMb < memoryMb) continue;
    const memory = Math.max(row.minMb, roundUp(memoryMb, CLOUD_RUN_MEMORY_STEP_MB));
    return { cpu: String(row.cpus), memory: `${memory}Mi` };
  }
  throw new Error(
    `[taskflow] [sizing] cloud run: no container size has ${cpu} CPUs and ${memoryMb} MiB (max 8 CPUs, 32 GiB)`,
  );
}

/** ElastiCache node types by usable memory in MiB, smallest first. */
const ELASTICACHE_NODES: readonly { readonly type: string; readonly memoryMb: number }[] = [
  { type: "cache.t4g.micro", memoryMb: 512 },
  { type: "cache.t4g.small", memoryMb: 1403 },
  { type: "cache.t4g.medium", memoryMb: 3164 },
  { type: "cache.m7g.large", memoryMb: 6533 },
  { type: "cache.m7g.xlarge", memoryMb: 13_240 },
  { type: "cache.r7g.xlarge", memoryMb: 26_952 },
  { type: "cache.r7g.2xlarge", memoryMb: 53_904 },
];

/** The smallest ElastiCache node type holding at least `memoryMb` MiB. */
export function elastiCacheNodeType(memoryMb: number): string {
  checkRequest("elasticache", 1, memoryMb);
  const node = ELASTICACHE_NODES.find((n) => n.memoryMb >= memoryMb);
  if (!node) throw new Error(`[taskflow] [sizing] elasticache: no node type in the table holds ${memoryMb} MiB`);
  return node.type;
}

/** Memorystore sizes in whole GiB, from 1 to 300. */
export function memorystoreSizeGb(memoryMb: number): number {
  checkRequest("memorystore", 1, memoryMb);
  const gb = Math.max(1, Math.ceil(memoryMb / 1024));
  if (gb > 300) throw new Error(`[taskflow] [sizing] memorystore: ${memoryMb} MiB is over the 300 GiB limit`);
  return gb;
}
