import { type ComputeSize, checkSizeRequest, roundUp } from "../api/sizing.js";

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

/** The smallest Fargate task size with at least `cpu` vCPU and `memoryMb` MiB. */
export function fargateSize(cpu: number, memoryMb: number): ComputeSize {
  checkSizeRequest("fargate", cpu, memoryMb);
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
  checkSizeRequest("elasticache", 1, memoryMb);
  const node = ELASTICACHE_NODES.find((n) => n.memoryMb >= memoryMb);
  if (!node) throw new Error(`[taskflow] [sizing] elasticache: no node type in the table holds ${memoryMb} MiB`);
  return node.type;
}
