/**
 * Instance sizing: the application declares vCPU and memory once (services/platform.ts) and
 * each cloud rounds up to the nearest combination it accepts, never down, so a service never
 * gets less than it asked for. The tables are each cloud's own (`components/<cloud>/sizing.ts`).
 */

export interface ComputeSize {
  /** In the unit the cloud's API takes: Fargate CPU units ("256"), Cloud Run CPUs ("1"). */
  readonly cpu: string;
  /** In the unit the cloud's API takes: Fargate MiB ("512"), Cloud Run quantity ("512Mi"). */
  readonly memory: string;
}

/** Refuses a request that is not a positive amount, naming what it was for. */
export function checkSizeRequest(what: string, cpu: number, memoryMb: number): void {
  if (!(cpu > 0) || !(memoryMb > 0)) {
    throw new Error(`[taskflow] [sizing] ${what}: cpu (${cpu}) and memoryMb (${memoryMb}) must be positive numbers`);
  }
}

export const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;
