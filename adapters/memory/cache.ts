import type { CacheEntry, CacheStats, ICache, SetOptions } from "../core/cache.js";
import { checkNamespace, checkTtl, SingleFlight } from "../core/cache-support.js";
import type { CacheCapabilities } from "../core/capabilities.js";
import { decodeValue, encodeValue } from "../core/codec.js";
import type { Env } from "../core/config.js";
import { CacheUnavailableError, ClosedError, SerializationError } from "../core/errors.js";
import { readMemoryCacheConfig } from "./cache-config.js";

const COMPONENT = "memory";

/**
 * A switch shared by the caches of one test that makes the store behave as a server that is
 * down, so the degrade/strict behaviour (C14) is exercised in memory too.
 */
export interface MemoryCacheFaults {
  unavailable: boolean;
}

export interface MemoryCacheOptions {
  /** @default "taskflow" */
  readonly namespace?: string;
  /** Most entries kept; the least recently used go first. @default 10_000 */
  readonly maxEntries?: number;
  /** Most bytes kept (UTF-8 of encoded value plus key); least recently used go first. @default 64 MiB */
  readonly maxBytes?: number;
  /** What a call does while `faults.unavailable` is on. @default "degrade" */
  readonly mode?: "degrade" | "strict";
  /** Milliseconds since the epoch; tests pass a manual clock. @default Date.now */
  readonly now?: () => number;
  readonly faults?: MemoryCacheFaults;
}

interface Entry {
  readonly text: string;
  readonly bytes: number;
  readonly expiresAt: number;
}

/** The data shared by a cache and its namespace views. */
class MemoryStore {
  readonly entries = new Map<string, Entry>();
  readonly flights = new SingleFlight();
  bytes = 0;
  closed = false;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    readonly now: () => number,
  ) {}

  /** The live entry, refreshed as most recently used; expired entries are dropped on sight. */
  read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    // A Map iterates in insertion order, so re-inserting keeps the oldest use first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  write(key: string, text: string, ttlMs: number | undefined): void {
    const bytes = Buffer.byteLength(text) + Buffer.byteLength(key);
    if (bytes > this.maxBytes) {
      throw new SerializationError(
        COMPONENT,
        `cannot store key "${key}": ${bytes} bytes exceed the cache's limit of ${this.maxBytes} bytes`,
      );
    }
    this.remove(key);
    this.entries.set(key, { text, bytes, expiresAt: ttlMs === undefined ? Infinity : this.now() + ttlMs });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return entry.expiresAt > this.now();
  }

  removePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.remove(key);
  }
}

/**
 * The local-mode cache: bounded by entries and bytes with LRU eviction, values stored as
 * codec text (so Buffer, Date and BigInt follow the same rule as Redis, and no caller can
 * change a stored value through a reference), TTL on an injectable clock.
 *
 * A namespace view shares the store; closing a view closes only the view, closing the cache
 * that created the store closes every view.
 */
export class MemoryCache implements ICache {
  readonly name = COMPONENT;
  readonly namespace: string;
  readonly capabilities: CacheCapabilities;
  readonly #store: MemoryStore;
  readonly #prefix: string;
  readonly #strict: boolean;
  readonly #faults: MemoryCacheFaults | undefined;
  readonly #ownsStore: boolean;
  #closed = false;
  #hits = 0;
  #misses = 0;
  #degraded = 0;

  constructor(options: MemoryCacheOptions = {}, store?: MemoryStore) {
    this.namespace = checkNamespace(COMPONENT, options.namespace ?? "taskflow");
    this.#prefix = `${this.namespace}:`;
    this.#ownsStore = store === undefined;
    this.#store =
      store ??
      new MemoryStore(options.maxEntries ?? 10_000, options.maxBytes ?? 64 * 1024 * 1024, options.now ?? Date.now);
    this.capabilities = { cluster: false, maxValueBytes: this.#store.maxBytes };
    this.#strict = options.mode === "strict";
    this.#faults = options.faults;
  }

  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, degraded: this.#degraded };
  }

  /** Number of live and not yet swept entries, and their bytes, across every namespace. */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.#store.entries.size, bytes: this.#store.bytes };
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (this.#unavailable("read key", key)) return undefined;
    return this.#read<T>(key);
  }

  async set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    const ttlMs = checkTtl(COMPONENT, options);
    if (this.#unavailable("write key", key)) return;
    this.#store.write(this.#prefix + key, encodeValue(value, COMPONENT), ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    if (this.#unavailable("delete key", key)) return false;
    return this.#store.remove(this.#prefix + key);
  }

  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (this.#unavailable("read keys", keys[0] ?? "")) return keys.map(() => undefined);
    return keys.map((key) => this.#read<T>(key));
  }

  /** One key's value, counted as a hit or a miss. */
  #read<T>(key: string): T | undefined {
    const entry = this.#store.read(this.#prefix + key);
    if (!entry) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return decodeValue<T>(entry.text);
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    // Validate and encode everything first, so a bad entry stores nothing.
    const encoded = entries.map((entry) => ({
      key: this.#prefix + entry.key,
      text: encodeValue(entry.value, COMPONENT),
      ttlMs: checkTtl(COMPONENT, entry),
    }));
    if (this.#unavailable("write keys", entries[0]?.key ?? "")) return;
    for (const entry of encoded) this.#store.write(entry.key, entry.text, entry.ttlMs);
  }

  async getOrSet<T>(key: string, loader: () => Promise<T | undefined>, options?: SetOptions): Promise<T | undefined> {
    checkTtl(COMPONENT, options);
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    return this.#store.flights.run(this.#prefix + key, async () => {
      const value = await loader();
      if (value !== undefined) await this.set(key, value, options);
      return value;
    });
  }

  async setIfAbsent<T>(key: string, value: T, options?: SetOptions): Promise<boolean> {
    const ttlMs = checkTtl(COMPONENT, options);
    if (this.#unavailable("claim key", key)) return false;
    const fullKey = this.#prefix + key;
    if (this.#store.read(fullKey)) return false;
    this.#store.write(fullKey, encodeValue(value, COMPONENT), ttlMs);
    return true;
  }

  async ttl(key: string): Promise<number | undefined> {
    if (this.#unavailable("read the TTL of key", key)) return undefined;
    const entry = this.#store.read(this.#prefix + key);
    if (!entry) return undefined;
    return entry.expiresAt === Infinity ? Infinity : entry.expiresAt - this.#store.now();
  }

  async clear(): Promise<void> {
    if (this.#unavailable("clear namespace", this.namespace)) return;
    this.#store.removePrefix(this.#prefix);
  }

  withNamespace(namespace: string): ICache {
    this.#checkOpen("open a namespace view");
    return new MemoryCache(
      { namespace, mode: this.#strict ? "strict" : "degrade", ...(this.#faults ? { faults: this.#faults } : {}) },
      this.#store,
    );
  }

  async ping(): Promise<boolean> {
    this.#checkOpen("ping");
    return !this.#faults?.unavailable;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#ownsStore) {
      this.#store.closed = true;
      this.#store.entries.clear();
      this.#store.bytes = 0;
    }
  }

  /** The message is only built when it is thrown: this runs on every call. */
  #checkOpen(what: string, key?: string): void {
    if (this.#closed || this.#store.closed) {
      throw new ClosedError(COMPONENT, key === undefined ? what : `${what} "${key}"`);
    }
  }

  /**
   * Checks the cache is open, then answers whether the call must stand down because the
   * fault switch is on: true in degrade mode (counted), a `CacheUnavailableError` in strict.
   */
  #unavailable(what: string, key: string): boolean {
    this.#checkOpen(what, key);
    if (!this.#faults?.unavailable) return false;
    if (this.#strict) {
      throw new CacheUnavailableError(COMPONENT, `cannot ${what} "${key}": the store is marked unavailable`);
    }
    this.#degraded++;
    return true;
  }
}

/** `CacheAdapterModule` entry: the in-memory cache configured from the environment. */
export async function createCacheFromEnv(env: Env): Promise<ICache> {
  const config = readMemoryCacheConfig(env);
  return new MemoryCache({
    namespace: config.CACHE_NAMESPACE,
    mode: config.CACHE_MODE,
    maxEntries: config.CACHE_MEMORY_MAX_ENTRIES,
    maxBytes: Math.round(config.CACHE_MEMORY_MAX_MB * 1024 * 1024),
  });
}
