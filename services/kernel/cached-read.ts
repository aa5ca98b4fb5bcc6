import type { ICache } from "../../adapters/core/cache.js";

/**
 * Reads through the cache that never wait on it for long: a cache that is down, slow or
 * throwing costs at most `timeoutMs`, and the answer then comes from the database. Writers
 * call `invalidate` after their transaction commits; the TTL bounds staleness if an
 * invalidation is lost while the cache is down.
 */
export interface CachedReads {
  read<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  invalidate(...keys: string[]): Promise<void>;
}

export interface CachedReadsOptions {
  /** @default 60_000 */
  readonly ttlMs?: number;
  /** Longest wait for the cache before reading the database. @default 250 */
  readonly timeoutMs?: number;
  readonly onCacheError?: (error: unknown) => void;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createCachedReads(cache: ICache, options: CachedReadsOptions = {}): CachedReads {
  const ttlMs = options.ttlMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  return {
    async read<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      let loading: Promise<T | undefined> | undefined;
      let failure: { error: unknown } | undefined;
      const guarded = () => {
        loading = load().catch((error: unknown) => {
          failure = { error };
          throw error;
        });
        return loading;
      };
      const cached = cache.getOrSet(key, guarded, { ttlMs });
      try {
        return await within(cached, timeoutMs);
      } catch (error) {
        if (failure) throw failure.error;
        // The cache answered a miss in time and the database is the slow part: keep waiting for it.
        if (loading) return await cached;
        options.onCacheError?.(error);
        cached.catch(() => {});
        return load();
      }
    },
    async invalidate(...keys) {
      await Promise.all(
        keys.map((key) =>
          within(cache.delete(key), timeoutMs).catch((error) => {
            options.onCacheError?.(error);
          }),
        ),
      );
    },
  };
}
