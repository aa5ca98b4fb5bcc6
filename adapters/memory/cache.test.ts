import { describe, expect, it } from "vitest";
import { ConfigError, SerializationError } from "../core/errors.js";
import { ManualClock } from "../testing/cache-clock.js";
import { runCacheContract } from "../testing/cache-contract.js";
import { createCacheFromEnv, MemoryCache, type MemoryCacheFaults } from "./cache.js";

const faults: MemoryCacheFaults = { unavailable: false };

runCacheContract("memory", async ({ namespace, clock, mode }) => new MemoryCache({ namespace, mode, now: clock.now }), {
  time: "clock",
  ttlToleranceMs: 0,
  faults: {
    create: async ({ namespace, mode }) => new MemoryCache({ namespace, mode, faults }),
    makeUnavailable: async () => {
      faults.unavailable = true;
    },
    restore: async () => {
      faults.unavailable = false;
    },
    commandTimeoutMs: 50,
    recoveryMs: 100,
  },
});

describe("memory cache: bounds and clock", () => {
  it("evicts the least recently used entry when the entry bound is reached", async () => {
    const cache = new MemoryCache({ maxEntries: 3 });
    await cache.set("a", 1);
    await cache.set("b", 2);
    await cache.set("c", 3);
    await cache.get("a");
    await cache.set("d", 4);
    expect(await cache.getMany(["a", "b", "c", "d"])).toEqual([1, undefined, 3, 4]);
    expect(cache.usage.entries).toBe(3);
  });

  it("evicts by bytes so the stored total stays within maxBytes", async () => {
    const cache = new MemoryCache({ namespace: "n", maxBytes: 1_000 });
    const value = "x".repeat(300);
    for (const key of ["k1", "k2", "k3", "k4"]) await cache.set(key, value);
    expect(cache.usage.bytes).toBeLessThanOrEqual(1_000);
    expect(await cache.get("k1")).toBeUndefined();
    expect(await cache.get("k4")).toBe(value);
    await cache.set("k4", "small");
    expect(cache.usage.bytes).toBeLessThan(700);
  });

  it("refuses a value larger than the whole store with SerializationError and keeps the rest", async () => {
    const cache = new MemoryCache({ maxBytes: 100 });
    await cache.set("kept", 1);
    await expect(cache.set("huge", "y".repeat(200))).rejects.toBeInstanceOf(SerializationError);
    expect(await cache.get("kept")).toBe(1);
  });

  it("expires on the injected clock, and an expired key no longer counts as existing", async () => {
    const clock = new ManualClock(0);
    const cache = new MemoryCache({ now: clock.now });
    await cache.set("k", "v", { ttlMs: 500 });
    clock.advance(499);
    expect(await cache.ttl("k")).toBe(1);
    clock.advance(1);
    expect(await cache.delete("k")).toBe(false);
    expect(await cache.setIfAbsent("k", "again")).toBe(true);
  });

  it("builds from the environment and reports every bad setting at once", async () => {
    const cache = await createCacheFromEnv({ CACHE_NAMESPACE: "svc", CACHE_MEMORY_MAX_ENTRIES: "5" });
    expect(cache.namespace).toBe("svc");
    await cache.close();
    const bad = createCacheFromEnv({ CACHE_MEMORY_MAX_ENTRIES: "many", CACHE_MODE: "loose" });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toThrow(
      /CACHE_MEMORY_MAX_ENTRIES[\s\S]*CACHE_MODE|CACHE_MODE[\s\S]*CACHE_MEMORY_MAX_ENTRIES/,
    );
  });

  it("refuses a namespace that could match another's keys", () => {
    expect(() => new MemoryCache({ namespace: "a:*" })).toThrow(/namespace "a:\*" is invalid/);
  });
});
