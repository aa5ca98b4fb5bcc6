import { expect, it } from "vitest";
import type { ICache } from "../core/cache.js";
import { CacheUnavailableError } from "../core/errors.js";
import { eventually, timed } from "./cache-clock.js";

/** How a cache answers while its server is away: `degrade` as a miss, `strict` with an error. */
export type CacheMode = "degrade" | "strict";

/** C14 hooks: a cache on a server the test may take away and bring back. */
export interface CacheFaultOptions {
  /** A cache connected to the server that `makeUnavailable` and `restore` control. */
  create(context: { namespace: string; mode: CacheMode }): Promise<ICache>;
  /** Takes the server away (stops the process, or flips a fault switch). */
  makeUnavailable(): Promise<void>;
  /** Brings it back on the same address. */
  restore(): Promise<void>;
  /** The adapter's command timeout: the bound every call must meet while the server is down. */
  readonly commandTimeoutMs: number;
  /** How long the adapter may take to notice the server is back. @default 5000 */
  readonly recoveryMs?: number;
}

/** Scheduling slack on top of the command timeout for a loaded 2-core machine. */
const SLACK_MS = 150;

/** Every ICache call, each answering what degrade mode should answer while the server is down. */
function everyCall(cache: ICache): Array<{ label: string; call: () => Promise<unknown>; degraded: unknown }> {
  return [
    { label: "get", call: () => cache.get("k"), degraded: undefined },
    { label: "set", call: () => cache.set("k", 1), degraded: undefined },
    { label: "delete", call: () => cache.delete("k"), degraded: false },
    { label: "getMany", call: () => cache.getMany(["k", "j"]), degraded: [undefined, undefined] },
    { label: "setMany", call: () => cache.setMany([{ key: "k", value: 1 }]), degraded: undefined },
    { label: "setIfAbsent", call: () => cache.setIfAbsent("k", 1), degraded: false },
    { label: "ttl", call: () => cache.ttl("k"), degraded: undefined },
    { label: "clear", call: () => cache.clear(), degraded: undefined },
  ];
}

export function registerFaultContract(faults: CacheFaultOptions | { readonly skip: string }, runId: string): void {
  const title =
    "C14 server down: every call returns within the command timeout; degrade answers a miss and counts it, " +
    "strict throws CacheUnavailableError; it recovers without a restart";
  if ("skip" in faults) {
    it.skip(`${title} (skipped: ${faults.skip})`, () => {});
    return;
  }
  it(title, async () => {
    const bound = faults.commandTimeoutMs + SLACK_MS;
    const degrade = await faults.create({ namespace: `tf-contract-${runId}-c14d`, mode: "degrade" });
    const strict = await faults.create({ namespace: `tf-contract-${runId}-c14s`, mode: "strict" });
    try {
      await degrade.set("warm", "before the outage");
      await faults.makeUnavailable();
      try {
        for (const { label, call, degraded } of everyCall(degrade)) {
          const result = await timed(call);
          expect(result.error, `degrade ${label}`).toBeUndefined();
          expect(result.value, `degrade ${label}`).toEqual(degraded);
          expect(result.ms, `degrade ${label} took ${result.ms} ms`).toBeLessThan(bound);
        }
        const loaded = await timed(() => degrade.getOrSet("k", async () => "from the database"));
        expect(loaded.value).toBe("from the database");
        expect(loaded.ms).toBeLessThan(bound);
        expect(degrade.stats.degraded).toBeGreaterThanOrEqual(everyCall(degrade).length);
        expect(await degrade.ping()).toBe(false);

        for (const { label, call } of everyCall(strict)) {
          const result = await timed(call);
          expect(result.error, `strict ${label}`).toBeInstanceOf(CacheUnavailableError);
          expect(result.ms, `strict ${label} took ${result.ms} ms`).toBeLessThan(bound);
        }
        const strictLoad = await timed(() => strict.getOrSet("k", async () => "from the database"));
        expect(strictLoad.error).toBeInstanceOf(CacheUnavailableError);
      } finally {
        await faults.restore();
      }
      const recoveryMs = faults.recoveryMs ?? 5_000;
      expect(await eventually(async () => (await degrade.ping()) && (await strict.ping()), recoveryMs)).toBe(true);
      const degradedBefore = degrade.stats.degraded;
      await degrade.set("after", "recovered");
      expect(await degrade.get("after")).toBe("recovered");
      await strict.set("after", "recovered too");
      expect(await strict.get("after")).toBe("recovered too");
      expect(degrade.stats.degraded).toBe(degradedBefore);
    } finally {
      await degrade.clear().catch(() => undefined);
      await strict.clear().catch(() => undefined);
      await degrade.close();
      await strict.close();
    }
  });
}
