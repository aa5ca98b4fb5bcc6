import { type ComputeSize, checkSizeRequest, roundUp } from "../api/sizing.js";

/** Cloud Run's CPU values (whole CPUs, so request concurrency above 1 is allowed) and memory range per CPU. */
const CLOUD_RUN: readonly { readonly cpus: number; readonly minMb: number; readonly maxMb: number }[] = [
  { cpus: 1, minMb: 512, maxMb: 4096 },
  { cpus: 2, minMb: 512, maxMb: 8192 },
  { cpus: 4, minMb: 2048, maxMb: 16_384 },
  { cpus: 6, minMb: 4096, maxMb: 24_576 },
  { cpus: 8, minMb: 4096, maxMb: 32_768 },
];
const CLOUD_RUN_MEMORY_STEP_MB = 128;

/** The smallest Cloud Run container size with at least `cpu` CPUs and `memoryMb` MiB. */
export function cloudRunSize(cpu: number, memoryMb: number): ComputeSize {
  checkSizeRequest("cloud run", cpu, memoryMb);
  for (const row of CLOUD_RUN) {
    if (row.cpus < cpu || row.maxMb < memoryMb) continue;
    const memory = Math.max(row.minMb, roundUp(memoryMb, CLOUD_RUN_MEMORY_STEP_MB));
    return { cpu: String(row.cpus), memory: `${memory}Mi` };
  }
  throw new Error(
    `[taskflow] [sizing] cloud run: no container size has ${cpu} CPUs and ${memoryMb} MiB (max 8 CPUs, 32 GiB)`,
  );
}

/** Memorystore sizes in whole GiB, from 1 to 300. */
export function memorystoreSizeGb(memoryMb: number): number {
  checkSizeRequest("memorystore", 1, memoryMb);
  const gb = Math.max(1, Math.ceil(memoryMb / 1024));
  if (gb > 300) throw new Error(`[taskflow] [sizing] memorystore: ${memoryMb} MiB is over the 300 GiB limit`);
  return gb;
}
