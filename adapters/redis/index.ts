import type { ICache } from "../core/cache.js";
import type { Env } from "../core/config.js";
import { connectRedisCache } from "./cache.js";
import { readRedisCacheConfig } from "./config.js";

export * from "./cache.js";
export * from "./config.js";
export * from "./slots.js";

/** `CacheAdapterModule` entry: a Redis cache configured from `CACHE_*` settings. */
export async function createCacheFromEnv(env: Env): Promise<ICache> {
  const config = readRedisCacheConfig(env);
  return connectRedisCache(config.CACHE_URL, {
    namespace: config.CACHE_NAMESPACE,
    mode: config.CACHE_MODE,
    timeoutMs: config.CACHE_TIMEOUT_MS,
  });
}
