import { describe, expect, it } from "vitest";
import type { ICache } from "../../adapters/core/cache.js";
import { createCachedReads } from "./cached-read.js";

/** A cache whose every call hangs, like a Redis that stopped answering. */
const hangingCache = {
  getOrSet: () => new Promise(() => {}),
  delete: () => new Promise(() => {}),
} as unknown as ICache;

/** A cache that works, backed by a Map. */
function mapCache(): ICache {
  const map = new Map<string, unknown>();
  return {
    async getOrSet(key: string, load: () => Promise<unknown>) {
      if (map.has(key)) return map.get(key);
      const value = await load();
      if (value !== undefined) map.set(key, value);
      return value;
    },
    async delete(key: string) {
      return map.delete(key);
    },
  } as unknown as ICache;
}

describe("cached reads", () => {
  it("answers from the database within the timeout when the cache hangs", async () => {
    const reads = createCachedReads(hangingCache, { timeoutMs: 50 });
    const started = Date.now();
    expect(await reads.read("k", async () => "from-db")).toBe("from-db");
    expect(Date.now() - started).toBeLessThan(500);
    await reads.invalidate("k");
  });

  it("serves the cached value until invalidated", async () => {
    const reads = createCachedReads(mapCache());
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await reads.read("k", load)).toBe("v1");
    expect(await reads.read("k", load)).toBe("v1");
    await reads.invalidate("k");
    expect(await reads.read("k", load)).toBe("v2");
  });

  it("a loader error reaches the caller once and is not retried against the database", async () => {
    const reads = createCachedReads(mapCache());
    let loads = 0;
    await expect(
      reads.read("k", async () => {
        loads += 1;
        throw new Error("not found");
      }),
    ).rejects.toThrow("not found");
    expect(loads).toBe(1);
  });

  it("a slow database is awaited, not read twice", async () => {
    const reads = createCachedReads(mapCache(), { timeoutMs: 20 });
    let loads = 0;
    const value = await reads.read("slow", async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 80));
      return "done";
    });
    expect(value).toBe("done");
    expect(loads).toBe(1);
  });
});
