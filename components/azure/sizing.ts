/**
 * Azure's size tables: the application declares vCPU and memory once (services/platform.ts)
 * and each is rounded up to the nearest size Azure offers, never down.
 */

import type { ComputeSize } from "../api/sizing.js";

/** Container Apps (consumption) pairs CPU with memory at 2 GiB per vCPU, in steps of 0.25 vCPU. */
const CONTAINER_APPS = { stepCpu: 0.25, gibPerCpu: 2, maxCpu: 4 } as const;

/**
 * The smallest Container Apps CPU/memory pair with at least `cpu` vCPU and `memoryMb` MiB,
 * e.g. 0.25 vCPU and 512 MiB give "0.25" and "0.5Gi". A request beyond 4 vCPU or 8 GiB has no
 * pair on the consumption profile and is refused.
 */
export function containerAppsSize(cpu: number, memoryMb: number): ComputeSize & { readonly cpuCores: number } {
  if (!(cpu > 0) || !(memoryMb > 0)) {
    throw new Error(
      `[taskflow] [sizing] container apps: cpu (${cpu}) and memoryMb (${memoryMb}) must be positive numbers`,
    );
  }
  const step = CONTAINER_APPS.stepCpu;
  const forCpu = Math.ceil(cpu / step - 1e-9) * step;
  const forMemory = Math.ceil(memoryMb / 1024 / CONTAINER_APPS.gibPerCpu / step - 1e-9) * step;
  const cores = Math.max(forCpu, forMemory);
  if (cores > CONTAINER_APPS.maxCpu) {
    throw new Error(
      `[taskflow] [sizing] container apps: no CPU/memory pair has ${cpu} vCPU and ${memoryMb} MiB (pairs go from 0.25 vCPU/0.5 GiB to ${CONTAINER_APPS.maxCpu} vCPU/${CONTAINER_APPS.maxCpu * CONTAINER_APPS.gibPerCpu} GiB, 2 GiB per vCPU)`,
    );
  }
  return { cpu: String(cores), cpuCores: cores, memory: `${cores * CONTAINER_APPS.gibPerCpu}Gi` };
}

export interface PostgresSku {
  readonly name: string;
  readonly tier: "Burstable" | "GeneralPurpose" | "MemoryOptimized";
  /** Burstable servers cannot have a standby; the other tiers get a zone-redundant one. */
  readonly highAvailability: "ZoneRedundant" | "Disabled";
}

/** Flexible Server compute: the tier follows from the SKU's family. */
export function postgresSku(name: string): PostgresSku {
  const family = /^Standard_([A-Z])/.exec(name)?.[1];
  const tier =
    family === "B" ? "Burstable" : family === "D" ? "GeneralPurpose" : family === "E" ? "MemoryOptimized" : undefined;
  if (!tier) {
    throw new Error(
      `[taskflow] [sizing] postgres: "${name}" is not a Flexible Server compute size; use Standard_B* (burstable), Standard_D* (general purpose) or Standard_E* (memory optimised), e.g. Standard_D2ds_v5`,
    );
  }
  return { name, tier, highAvailability: tier === "Burstable" ? "Disabled" : "ZoneRedundant" };
}

/** Flexible Server storage sizes in GiB (premium SSD). */
const POSTGRES_STORAGE_GB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_767] as const;

export function postgresStorageGb(storageGb: number): number {
  const size = POSTGRES_STORAGE_GB.find((s) => s >= storageGb);
  if (size === undefined) throw new Error(`[taskflow] [sizing] postgres: ${storageGb} GiB is over the 32 TiB limit`);
  return size;
}

/** Azure Managed Redis Balanced SKUs by memory in MiB, smallest first. */
const MANAGED_REDIS: readonly { readonly sku: string; readonly memoryMb: number }[] = [
  { sku: "Balanced_B0", memoryMb: 512 },
  { sku: "Balanced_B1", memoryMb: 1024 },
  { sku: "Balanced_B3", memoryMb: 3072 },
  { sku: "Balanced_B5", memoryMb: 6144 },
  { sku: "Balanced_B10", memoryMb: 12_288 },
  { sku: "Balanced_B20", memoryMb: 24_576 },
  { sku: "Balanced_B50", memoryMb: 61_440 },
  { sku: "Balanced_B100", memoryMb: 122_880 },
];

/** The smallest Azure Managed Redis (Balanced) SKU holding at least `memoryMb` MiB. */
export function managedRedisSku(memoryMb: number): string {
  if (!(memoryMb > 0)) throw new Error(`[taskflow] [sizing] managed redis: memoryMb (${memoryMb}) must be positive`);
  const row = MANAGED_REDIS.find((r) => r.memoryMb >= memoryMb);
  if (!row) throw new Error(`[taskflow] [sizing] managed redis: no Balanced SKU holds ${memoryMb} MiB`);
  return row.sku;
}
