import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { ICache } from "../core/cache.js";
import { ClosedError, InvalidTtlError } from "../core/errors.js";
import { ManualClock } from "./cache-clock.js";
import { type CacheFaultOptions, type CacheMode, registerFaultContract } from "./cache-contract-faults.js";

export type { CacheMode };

/** What the suite hands the adapter's factory for each test. */
export interface CacheContractContext {
  /** Unique per test and per run, so leftovers on a real server never count. */
  readonly namespace: string;
  /** Drives expiry for adapters that take an injectable clock; others ignore it. */
  readonly clock: ManualClock;
  readonly mode: CacheMode;
}

export type CacheFactory = (context: CacheContractContext) => Promise<ICache>;

export interface CacheContractOptions {
  /** Skips the whole suite with this reason in its title (server not reachable). */
  readonly skip?: string | undefined;
  /**
   * `clock`: the adapter reads `context.clock`, so the suite moves time by hand.
   * `real`: the server keeps time, so the suite uses short TTLs and waits.
   */
  readonly time: "clock" | "real";
  /** How far a remaining TTL may lag the set TTL. @default 100 */
  readonly ttlToleranceMs?: number;
  /** C14: hooks that take the server away and bring it back, or why the adapter cannot. */
  readonly faults: CacheFaultOptions | { readonly skip: string };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `ICache` suite of docs/contracts.md, C01–C15, written once. Each adapter's test file calls this with a factory;
 * every test title starts with its contract id.
 */
export function runCacheContract(name: string, factory: CacheFactory, options: CacheContractOptions): void {
  const title = options.skip ? `cache contract: ${name} (skipped: ${options.skip})` : `cache contract: ${name}`;
  describe.skipIf(Boolean(options.skip))(title, () => {
    const runId = randomUUID().slice(0, 8);
    const tolerance = options.ttlToleranceMs ?? 100;
    let sequence = 0;
    const open: ICache[] = [];
    let clock = new ManualClock();

    async function fresh(mode: CacheMode = "degrade"): Promise<ICache> {
      clock = new ManualClock();
      const cache = await factory({ namespace: `tf-contract-${runId}-${++sequence}`, clock, mode });
      open.push(cache);
      return cache;
    }

    /** Lets a TTL of `ms` run out: by hand with an injected clock, by waiting otherwise. */
    async function elapse(ms: number): Promise<void> {
      if (options.time === "clock") clock.advance(ms);
      else await delay(ms);
    }

    afterEach(async () => {
      for (const cache of open.splice(0)) {
        await cache.clear().catch(() => undefined);
        await cache.close();
      }
    });

    it("C01 round trip of false, 0, empty string, unicode, nested objects, a Buffer and a 1 MB value", async () => {
      const cache = await fresh();
      const values: Record<string, unknown> = {
        false: false,
        zero: 0,
        empty: "",
        unicode: "Grüße, 世界, Ελληνικά, \u{1D11E}",
        nested: { a: [1, { b: null, c: "x" }], d: { e: { f: true } }, g: -1.5 },
        buffer: Buffer.from([0, 1, 2, 253, 254, 255]),
        large: "x".repeat(1024 * 1024),
        tagLookalike: { $tf: "date", v: "not a date" },
      };
      for (const [key, value] of Object.entries(values)) await cache.set(key, value);
      for (const [key, value] of Object.entries(values)) expect(await cache.get(key), key).toEqual(value);
      const buffer = await cache.get<Buffer>("buffer");
      expect(Buffer.isBuffer(buffer)).toBe(true);
    });

    it("C01 Date and BigInt follow the codec rule: read back as Date and bigint", async () => {
      const cache = await fresh();
      const when = new Date("2026-01-02T03:04:05.678Z");
      await cache.set("when", { when, big: 2n ** 70n });
      const back = await cache.get<{ when: Date; big: bigint }>("when");
      expect(back?.when).toBeInstanceOf(Date);
      expect(back?.when.toISOString()).toBe(when.toISOString());
      expect(back?.big).toBe(2n ** 70n);
    });

    it("C01 a stored value cannot be changed through the caller's reference", async () => {
      const cache = await fresh();
      const value = { list: [1, 2] };
      await cache.set("ref", value);
      value.list.push(3);
      const first = await cache.get<{ list: number[] }>("ref");
      first?.list.push(4);
      expect(await cache.get("ref")).toEqual({ list: [1, 2] });
    });

    it("C02 a miss is undefined, never null", async () => {
      const cache = await fresh();
      const missing = await cache.get("never-set");
      expect(missing).toBeUndefined();
      expect(missing).not.toBeNull();
      expect(await cache.getMany(["never-set", "also-missing"])).toEqual([undefined, undefined]);
      expect(cache.stats.misses).toBeGreaterThanOrEqual(1);
      await cache.set("null", null);
      expect(await cache.get("null")).toBeNull();
    });

    it("C03 delete reports whether the key existed and the key then misses", async () => {
      const cache = await fresh();
      await cache.set("k", "v");
      expect(await cache.delete("k")).toBe(true);
      expect(await cache.get("k")).toBeUndefined();
      expect(await cache.delete("k")).toBe(false);
    });

    it("C04 TTL: present before expiry, gone after", async () => {
      const cache = await fresh();
      const ttlMs = options.time === "clock" ? 1_000 : 300;
      await cache.set("short", "v", { ttlMs });
      await cache.set("forever", "v");
      await cache.setMany([{ key: "many", value: 1, ttlMs }]);
      await cache.getOrSet("loaded", async () => "v", { ttlMs });
      if (options.time === "clock") clock.advance(ttlMs - 1);
      for (const key of ["short", "many", "loaded"]) expect(await cache.get(key), key).toBeDefined();
      await elapse(options.time === "clock" ? 2 : ttlMs + 150);
      for (const key of ["short", "many", "loaded"]) expect(await cache.get(key), key).toBeUndefined();
      expect(await cache.get("forever")).toBe("v");
    });

    it("C05 an invalid TTL (NaN, negative, 0, Infinity) is refused with InvalidTtlError and nothing is stored", async () => {
      const cache = await fresh();
      for (const ttlMs of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY]) {
        await expect(cache.set("bad", 1, { ttlMs })).rejects.toBeInstanceOf(InvalidTtlError);
        await expect(cache.setMany([{ key: "bad", value: 1, ttlMs }])).rejects.toBeInstanceOf(InvalidTtlError);
        await expect(cache.setIfAbsent("bad", 1, { ttlMs })).rejects.toBeInstanceOf(InvalidTtlError);
        await expect(cache.getOrSet("bad", async () => 1, { ttlMs })).rejects.toBeInstanceOf(InvalidTtlError);
      }
      expect(await cache.get("bad")).toBeUndefined();
    });

    it("C06 remaining TTL is readable within tolerance; Infinity without expiry; undefined when missing", async () => {
      const cache = await fresh();
      await cache.set("timed", "v", { ttlMs: 60_000 });
      await cache.set("forever", "v");
      const remaining = await cache.ttl("timed");
      expect(remaining).toBeLessThanOrEqual(60_000);
      expect(remaining).toBeGreaterThanOrEqual(60_000 - tolerance);
      if (options.time === "clock") {
        clock.advance(20_000);
        expect(await cache.ttl("timed")).toBe(40_000);
      }
      expect(await cache.ttl("forever")).toBe(Number.POSITIVE_INFINITY);
      expect(await cache.ttl("missing")).toBeUndefined();
    });

    it("C07 getMany keeps order with gaps; setMany takes per-entry TTLs; keys across cluster slots work", async () => {
      const cache = await fresh();
      // Forty unrelated keys land in many different hash slots; a cluster would refuse them
      // in one MGET/MSET with CROSSSLOT unless the adapter splits them per slot.
      const keys = Array.from({ length: 40 }, (_, i) => `item:${i}:${randomUUID().slice(0, 4)}`);
      const entries = keys
        .filter((_, i) => i % 3 !== 1)
        .map((key, i) => ({ key, value: { key }, ...(i % 2 === 0 ? { ttlMs: 60_000 } : {}) }));
      await cache.setMany(entries);
      const values = await cache.getMany<{ key: string }>(keys);
      expect(values).toHaveLength(keys.length);
      keys.forEach((key, i) => {
        expect(values[i], key).toEqual(i % 3 === 1 ? undefined : { key });
      });
      const withTtl = await cache.ttl(entries[0]!.key);
      expect(withTtl).toBeLessThanOrEqual(60_000);
      expect(withTtl).toBeGreaterThanOrEqual(60_000 - tolerance);
      expect(await cache.ttl(entries[1]!.key)).toBe(Number.POSITIVE_INFINITY);
      expect(await cache.getMany([])).toEqual([]);
    });

    it("C08 50 concurrent getOrSet on one key run the loader once and all get the same value", async () => {
      const cache = await fresh();
      let runs = 0;
      const loader = async () => {
        runs++;
        await delay(30);
        return { loaded: runs };
      };
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrSet("hot", loader)));
      expect(runs).toBe(1);
      for (const result of results) expect(result).toEqual({ loaded: 1 });
      expect(await cache.get("hot")).toEqual({ loaded: 1 });
    });

    it("C09 a loader that throws: every waiter gets the error, nothing is cached, the next call retries", async () => {
      const cache = await fresh();
      let runs = 0;
      const failing = async () => {
        runs++;
        await delay(20);
        throw new Error("database said no");
      };
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => cache.getOrSet("k", failing)));
      expect(runs).toBe(1);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        expect((outcome as PromiseRejectedResult).reason.message).toContain("database said no");
      }
      expect(await cache.get("k")).toBeUndefined();
      expect(await cache.getOrSet("k", async () => "second try")).toBe("second try");
      expect(await cache.get("k")).toBe("second try");
    });

    it("C10 a loader result of undefined is not cached", async () => {
      const cache = await fresh();
      let runs = 0;
      const loader = async () => {
        runs++;
        return undefined;
      };
      expect(await cache.getOrSet("nothing", loader)).toBeUndefined();
      expect(await cache.getOrSet("nothing", loader)).toBeUndefined();
      expect(runs).toBe(2);
      expect(await cache.ttl("nothing")).toBeUndefined();
    });

    it("C11 namespaces are isolated and clear() removes only its own namespace", async () => {
      const cache = await fresh();
      const base = cache.namespace;
      const views = [cache.withNamespace(`${base}-a`), cache.withNamespace(`${base}-ab`), cache];
      for (const [i, view] of views.entries()) await view.set("shared-name", i);
      for (const [i, view] of views.entries()) expect(await view.get("shared-name")).toBe(i);
      await views[0]!.set("only-in-a", true);
      expect(await views[1]!.get("only-in-a")).toBeUndefined();
      await views[0]!.clear();
      expect(await views[0]!.get("shared-name")).toBeUndefined();
      expect(await views[0]!.get("only-in-a")).toBeUndefined();
      expect(await views[1]!.get("shared-name")).toBe(1);
      expect(await cache.get("shared-name")).toBe(2);
      await views[1]!.clear();
      await cache.clear();
      expect(await cache.get("shared-name")).toBeUndefined();
    });

    it("C12 setIfAbsent is atomic: of 20 concurrent callers exactly one wins", async () => {
      const cache = await fresh();
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.setIfAbsent("claim", i)));
      const winners = wins.flatMap((won, i) => (won ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(await cache.get("claim")).toBe(winners[0]);
      expect(await cache.setIfAbsent("claim", "late")).toBe(false);
      await cache.setIfAbsent("claim-ttl", 1, { ttlMs: options.time === "clock" ? 1_000 : 300 });
      await elapse(options.time === "clock" ? 1_001 : 450);
      expect(await cache.setIfAbsent("claim-ttl", 2)).toBe(true);
    });

    it("C13 keys with colons, spaces, quotes, glob characters, unicode and 1 KB length work", async () => {
      const cache = await fresh();
      const keys = ["a:b:c", "with space", `quote"s'`, "glob*?[x]", "ключ-鍵-\u{1D11E}", "k".repeat(1024)];
      for (const [i, key] of keys.entries()) await cache.set(key, i, { ttlMs: 60_000 });
      expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => i));
      for (const key of keys) expect(await cache.ttl(key)).toBeGreaterThan(0);
      expect(await cache.delete(keys[0]!)).toBe(true);
      await cache.clear();
      expect(await cache.getMany(keys)).toEqual(keys.map(() => undefined));
    });

    registerFaultContract(options.faults, runId);

    it("C15 after close() every call fails with ClosedError, and close() is idempotent", async () => {
      const cache = await fresh();
      const view = cache.withNamespace(`${cache.namespace}-view`);
      await cache.set("k", 1);
      await cache.clear();
      await cache.close();
      await cache.close();
      const calls: Array<[string, () => Promise<unknown>]> = [
        ["get", () => cache.get("k")],
        ["set", () => cache.set("k", 1)],
        ["delete", () => cache.delete("k")],
        ["getMany", () => cache.getMany(["k"])],
        ["setMany", () => cache.setMany([{ key: "k", value: 1 }])],
        ["getOrSet", () => cache.getOrSet("k", async () => 1)],
        ["setIfAbsent", () => cache.setIfAbsent("k", 1)],
        ["ttl", () => cache.ttl("k")],
        ["clear", () => cache.clear()],
        ["ping", () => cache.ping()],
        ["view get", () => view.get("k")],
      ];
      for (const [label, call] of calls) await expect(call(), label).rejects.toBeInstanceOf(ClosedError);
    });
  });
}
