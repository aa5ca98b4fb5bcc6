import { Redis, type RedisOptions } from "ioredis";
import type { CacheEntry, CacheStats, ICache, SetOptions } from "../core/cache.js";
import { checkNamespace, checkTtl, SingleFlight } from "../core/cache-support.js";
import type { CacheCapabilities } from "../core/capabilities.js";
import { decodeValue, encodeValue } from "../core/codec.js";
import { CacheUnavailableError, ClosedError, TaskflowError } from "../core/errors.js";
import type { RedisEndpoint } from "./config.js";
import { groupBySlot } from "./slots.js";
import { watchStalls } from "./stall-watchdog.js";

const COMPONENT = "redis";

export interface RedisCacheOptions {
  /** @default "taskflow" */
  readonly namespace?: string;
  /** What a call does when Redis is down or slow. @default "degrade" */
  readonly mode?: "degrade" | "strict";
  /** Longest any call waits for Redis. @default 250 */
  readonly timeoutMs?: number;
}

/** Redis' limit on one string value (proto-max-bulk-len). */
const MAX_VALUE_BYTES = 512 * 1024 * 1024;
const SCAN_COUNT = 500;

/**
 * Replies that mean the code is wrong, not that Redis is unavailable; they are raised even in
 * degrade mode so they cannot hide behind a cache miss.
 */
const PROGRAMMING_ERROR = /^(WRONGTYPE|CROSSSLOT)/;

/**
 * ioredis options for a cache that never makes a caller wait past the timeout: no offline
 * queue (a call while disconnected fails at once), no resend after a reconnect (pending
 * commands fail as soon as the connection drops), and reconnection in the background with a
 * short capped backoff so recovery needs no restart. A server that is connected but silent is
 * caught by `watchStalls`, which costs nothing per command, unlike ioredis' `commandTimeout`.
 */
export function clientOptions(endpoint: RedisEndpoint, timeoutMs: number): RedisOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    ...(endpoint.username ? { username: endpoint.username } : {}),
    ...(endpoint.password ? { password: endpoint.password } : {}),
    ...(endpoint.tls ? { tls: endpoint.tls } : {}),
    connectTimeout: Math.max(1_000, timeoutMs),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000),
    lazyConnect: true,
    connectionName: "taskflow-cache",
  };
}

/** The client shared by a cache and its namespace views. */
interface Connection {
  readonly client: Redis;
  readonly stopWatching: () => void;
  closed: boolean;
}

/**
 * `ICache` over one Redis endpoint: ElastiCache, Azure Managed Redis, Memorystore or a plain
 * server, with or without TLS. Values are codec text; keys are `<namespace>:<key>`; reads of
 * several keys are split per cluster hash slot so a cluster-mode endpoint never answers
 * CROSSSLOT. A namespace view shares the connection; closing a view closes only the view.
 */
export class RedisCache implements ICache {
  readonly name = COMPONENT;
  readonly namespace: string;
  readonly capabilities: CacheCapabilities = { cluster: true, maxValueBytes: MAX_VALUE_BYTES };
  readonly #connection: Connection;
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #strict: boolean;
  readonly #ownsConnection: boolean;
  readonly #flights: SingleFlight;
  #closed = false;
  #hits = 0;
  #misses = 0;
  #degraded = 0;

  /** Prefer `connectRedisCache`, which also waits (briefly) for the first connection. */
  constructor(
    client: Redis,
    options: RedisCacheOptions = {},
    shared?: { connection: Connection; flights: SingleFlight },
  ) {
    this.namespace = checkNamespace(COMPONENT, options.namespace ?? "taskflow");
    this.#prefix = `${this.namespace}:`;
    this.#strict = options.mode === "strict";
    this.#ownsConnection = shared === undefined;
    this.#connection = shared?.connection ?? {
      client,
      stopWatching: watchStalls(client, options.timeoutMs ?? 250),
      closed: false,
    };
    this.#client = this.#connection.client;
    this.#flights = shared?.flights ?? new SingleFlight();
  }

  get stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, degraded: this.#degraded };
  }

  async get<T>(key: string): Promise<T | undefined> {
    this.#checkOpen("read key", key);
    let text: string | null;
    try {
      text = await this.#client.get(this.#prefix + key);
    } catch (error) {
      return this.#unavailable("read key", key, error, undefined);
    }
    if (text === null) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return decodeValue<T>(text);
  }

  async set<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    const ttlMs = checkTtl(COMPONENT, options);
    this.#checkOpen("write key", key);
    const text = encodeValue(value, COMPONENT);
    try {
      if (ttlMs === undefined) await this.#client.set(this.#prefix + key, text);
      else await this.#client.set(this.#prefix + key, text, "PX", ttlMs);
    } catch (error) {
      this.#unavailable("write key", key, error, undefined);
    }
  }

  async delete(key: string): Promise<boolean> {
    this.#checkOpen("delete key", key);
    try {
      return (await this.#client.unlink(this.#prefix + key)) > 0;
    } catch (error) {
      return this.#unavailable("delete key", key, error, false);
    }
  }

  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    this.#checkOpen("read keys", keys[0] ?? "");
    if (keys.length === 0) return [];
    const fullKeys = keys.map((key) => this.#prefix + key);
    const values: (T | undefined)[] = new Array(keys.length);
    try {
      await Promise.all(
        groupBySlot(fullKeys).map(async (positions) => {
          const texts = await this.#client.mget(positions.map((position) => fullKeys[position]!));
          positions.forEach((position, i) => {
            const text = texts[i];
            if (text === null || text === undefined) {
              this.#misses++;
              values[position] = undefined;
            } else {
              this.#hits++;
              values[position] = decodeValue<T>(text);
            }
          });
        }),
      );
    } catch (error) {
      return this.#unavailable(
        "read keys",
        keys[0]!,
        error,
        keys.map(() => undefined),
      );
    }
    return values;
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    // Validate and encode every entry first, so a bad one stores nothing.
    const writes = entries.map((entry) => ({
      key: this.#prefix + entry.key,
      text: encodeValue(entry.value, COMPONENT),
      ttlMs: checkTtl(COMPONENT, entry),
    }));
    this.#checkOpen("write keys", entries[0]?.key ?? "");
    if (writes.length === 0) return;
    // One pipeline of single-key SETs: one round trip, per-entry TTLs, and no command that
    // spans two slots.
    const pipeline = this.#client.pipeline();
    for (const write of writes) {
      if (write.ttlMs === undefined) pipeline.set(write.key, write.text);
      else pipeline.set(write.key, write.text, "PX", write.ttlMs);
    }
    try {
      const replies = await pipeline.exec();
      const failed = replies?.find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      this.#unavailable("write keys", entries[0]!.key, error, undefined);
    }
  }

  async getOrSet<T>(key: string, loader: () => Promise<T | undefined>, options?: SetOptions): Promise<T | undefined> {
    checkTtl(COMPONENT, options);
    const cached = await this.get<T>(key);
    if (cached !== undefined) return cached;
    return this.#flights.run(this.#prefix + key, async () => {
      const value = await loader();
      if (value !== undefined) await this.set(key, value, options);
      return value;
    });
  }

  async setIfAbsent<T>(key: string, value: T, options?: SetOptions): Promise<boolean> {
    const ttlMs = checkTtl(COMPONENT, options);
    this.#checkOpen("claim key", key);
    const text = encodeValue(value, COMPONENT);
    try {
      const reply =
        ttlMs === undefined
          ? await this.#client.set(this.#prefix + key, text, "NX")
          : await this.#client.set(this.#prefix + key, text, "PX", ttlMs, "NX");
      return reply === "OK";
    } catch (error) {
      // Without Redis nobody can be granted the claim.
      return this.#unavailable("claim key", key, error, false);
    }
  }

  async ttl(key: string): Promise<number | undefined> {
    this.#checkOpen("read the TTL of key", key);
    let remaining: number;
    try {
      remaining = await this.#client.pttl(this.#prefix + key);
    } catch (error) {
      return this.#unavailable("read the TTL of key", key, error, undefined);
    }
    if (remaining === -2) return undefined;
    return remaining === -1 ? Number.POSITIVE_INFINITY : remaining;
  }

  /** SCAN for this namespace's keys and UNLINK them in slot-sized batches; never FLUSHDB. */
  async clear(): Promise<void> {
    this.#checkOpen("clear namespace", this.namespace);
    try {
      let cursor = "0";
      do {
        const [next, keys] = await this.#client.scan(cursor, "MATCH", `${this.#prefix}*`, "COUNT", SCAN_COUNT);
        cursor = next;
        if (keys.length > 0) {
          await Promise.all(
            groupBySlot(keys).map((positions) => this.#client.unlink(positions.map((position) => keys[position]!))),
          );
        }
      } while (cursor !== "0");
    } catch (error) {
      this.#unavailable("clear namespace", this.namespace, error, undefined);
    }
  }

  withNamespace(namespace: string): ICache {
    this.#checkOpen("open namespace", namespace);
    return new RedisCache(
      this.#client,
      { namespace, mode: this.#strict ? "strict" : "degrade" },
      { connection: this.#connection, flights: this.#flights },
    );
  }

  async ping(): Promise<boolean> {
    this.#checkOpen("ping", this.namespace);
    try {
      return (await this.#client.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ownsConnection) return;
    this.#connection.closed = true;
    this.#connection.stopWatching();
    const client = this.#client;
    if (client.status === "ready") {
      await client.quit().catch(() => undefined);
    }
    client.disconnect();
  }

  #checkOpen(what: string, key: string): void {
    if (this.#closed || this.#connection.closed) throw new ClosedError(COMPONENT, `${what} "${key}"`);
  }

  /**
   * A call that Redis did not answer: a miss (counted) in degrade mode,
   * `CacheUnavailableError` in strict mode, `ClosedError` when the cache was closed meanwhile.
   */
  #unavailable<R>(what: string, key: string, error: unknown, fallback: R): R {
    this.#checkOpen(what, key);
    const message = error instanceof Error ? error.message : String(error);
    if (PROGRAMMING_ERROR.test(message))
      throw new TaskflowError(COMPONENT, `cannot ${what} "${key}"`, { cause: error });
    if (this.#strict) throw new CacheUnavailableError(COMPONENT, `cannot ${what} "${key}"`, { cause: error });
    this.#degraded++;
    return fallback;
  }
}

/**
 * Creates the client and the cache, and waits up to the timeout (at least a second) for the
 * first connection. When Redis is down at start-up the cache is returned anyway: calls answer
 * as in an outage and the client keeps reconnecting in the background.
 */
export async function connectRedisCache(endpoint: RedisEndpoint, options: RedisCacheOptions = {}): Promise<RedisCache> {
  const timeoutMs = options.timeoutMs ?? 250;
  const client = new Redis(clientOptions(endpoint, timeoutMs));
  // ioredis reports connection errors as events; the calls already report them to callers.
  client.on("error", () => undefined);
  const cache = new RedisCache(client, options);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.connect().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(1_000, timeoutMs));
    }),
  ]);
  clearTimeout(timer);
  return cache;
}
