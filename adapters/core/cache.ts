import type { CacheCapabilities } from "./capabilities.js";

export interface SetOptions {
  /** Time to live in milliseconds: a positive finite number. Absent means no expiry. */
  readonly ttlMs?: number;
}

export interface CacheEntry<T = unknown> extends SetOptions {
  readonly key: string;
  readonly value: T;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Calls answered as a miss (or a no-op) because the server was down or slow. */
  readonly degraded: number;
}

/**
 * A key-value cache for JSON values plus Buffer, Date and BigInt (see `codec.ts` for the rule).
 *
 * - A miss is `undefined`, never `null`; `undefined` is never stored.
 * - Keys live in the cache's namespace; `clear()` removes that namespace only.
 * - When the server is down or slow, `degrade` mode answers a miss (and counts it in
 *   `stats.degraded`), `strict` mode throws `CacheUnavailableError`; both return within the
 *   command timeout and recover without a restart.
 * - `close()` is idempotent; any other call after it throws `ClosedError`.
 */
export interface ICache {
  readonly name: string;
  readonly namespace: string;
  readonly capabilities: CacheCapabilities;
  readonly stats: CacheStats;

  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, options?: SetOptions): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** Values in the order of `keys`, `undefined` for each miss. */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  setMany(entries: readonly CacheEntry[]): Promise<void>;
  /**
   * Returns the cached value, or runs `loader` once per key at a time in this process and
   * caches what it returns (unless `undefined`). Concurrent callers share one loader run and
   * its error; a failed load caches nothing.
   */
  getOrSet<T>(key: string, loader: () => Promise<T | undefined>, options?: SetOptions): Promise<T | undefined>;
  /** Atomically sets the key if it is absent; true for the one caller that set it. */
  setIfAbsent<T>(key: string, value: T, options?: SetOptions): Promise<boolean>;
  /** Remaining time to live in ms; `Infinity` without expiry; `undefined` when missing. */
  ttl(key: string): Promise<number | undefined>;
  /** Removes every key of this namespace and no other. */
  clear(): Promise<void>;
  /** A view of the same store under another namespace, sharing the connection. */
  withNamespace(namespace: string): ICache;
  /** True when the server answers; used by `/health/ready`. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
