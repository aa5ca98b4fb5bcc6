import { z } from "zod";
import { type Env, readConfig } from "../core/config.js";

/** Settings of the in-memory cache, read from the environment in local mode. */
export const memoryCacheConfigSchema = z.object({
  CACHE_NAMESPACE: z.string().min(1).default("taskflow"),
  CACHE_MODE: z.enum(["degrade", "strict"]).default("degrade"),
  CACHE_MEMORY_MAX_ENTRIES: z.coerce.number().int().positive().default(10_000),
  CACHE_MEMORY_MAX_MB: z.coerce.number().positive().default(64),
});

export type MemoryCacheConfig = z.infer<typeof memoryCacheConfigSchema>;

const HINTS: Record<string, string> = {
  CACHE_MEMORY_MAX_ENTRIES: "set it to a whole number of entries, e.g. 10000",
  CACHE_MEMORY_MAX_MB: "set it to a size in MiB, e.g. 64",
  CACHE_MODE: "set it to degrade (a miss when the cache is down) or strict (an error)",
};

export function readMemoryCacheConfig(env: Env): MemoryCacheConfig {
  return readConfig(memoryCacheConfigSchema, env, HINTS);
}
