import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheUnavailableError } from "../core/errors.js";
import { eventually, timed } from "../testing/cache-clock.js";
import { latencySummary } from "../testing/latency.js";
import { gatedTitle } from "../testing/servers.js";
import { connectRedisCache, type RedisCache } from "./cache.js";
import { PrivateRedis, redisServerGate } from "./test-server.js";

/**
 * Fault tests against a private redis-server that the test kills, freezes and restarts on the
 * same port. The adapters are created once and never recreated: recovery must happen inside.
 */

const TIMEOUT_MS = 200;
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 150;
const skip = redisServerGate();
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(Boolean(skip))(gatedTitle("redis cache faults (private redis-server)", skip), () => {
  let server: PrivateRedis;
  let degrade: RedisCache;
  let strict: RedisCache;
  let sequence = 0;

  const open = async (mode: "degrade" | "strict") =>
    connectRedisCache(
      { host: "127.0.0.1", port: server.port, db: 0 },
      { namespace: `tf-fault-${process.pid}-${++sequence}`, mode, timeoutMs: TIMEOUT_MS },
    );

  beforeAll(async () => {
    server = await PrivateRedis.start();
    degrade = await open("degrade");
    strict = await open("strict");
  });

  afterAll(async () => {
    await degrade?.close();
    await strict?.close();
    await server?.dispose();
  });

  /** Asserts both caches answer as in an outage, each call within the timeout. */
  async function expectOutageAnswers(): Promise<void> {
    const degradedBefore = degrade.stats.degraded;
    for (const [label, call] of [
      ["get", () => degrade.get("k")],
      ["getMany", () => degrade.getMany(["k", "j"])],
      ["set", () => degrade.set("k", 1, { ttlMs: 1_000 })],
    ] as const) {
      const result = await timed(call as () => Promise<unknown>);
      expect(result.error, label).toBeUndefined();
      expect(result.ms, `degrade ${label} took ${result.ms} ms`).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    expect(degrade.stats.degraded).toBe(degradedBefore + 3);
    const failed = await timed(() => strict.get("k"));
    expect(failed.error).toBeInstanceOf(CacheUnavailableError);
    expect(String((failed.error as Error).message)).toMatch(/^\[taskflow\] \[redis\] cannot read key "k": /);
    expect(failed.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  }

  async function expectRecovered(): Promise<void> {
    expect(await eventually(async () => (await degrade.ping()) && (await strict.ping()), 5_000)).toBe(true);
    await strict.set("after", "ok");
    expect(await strict.get("after")).toBe("ok");
    const degradedBefore = degrade.stats.degraded;
    await degrade.set("after", "ok");
    expect(await degrade.get("after")).toBe("ok");
    expect(degrade.stats.degraded).toBe(degradedBefore);
  }

  it("C14 server killed (SIGKILL): calls answer within the timeout, then recover after a restart on the same port", async () => {
    await degrade.set("k", "before");
    await server.stop("SIGKILL");
    await expectOutageAnswers();
    await server.restart();
    await expectRecovered();
  });

  it("C14 server hung (SIGSTOP): every call still returns within the command timeout, and recovers on SIGCONT", async () => {
    await degrade.set("k", "before");
    server.pause();
    try {
      await expectOutageAnswers();
      const claims = await timed(() => strict.setIfAbsent("claim", 1));
      expect(claims.error).toBeInstanceOf(CacheUnavailableError);
      expect(claims.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      server.resume();
    }
    await expectRecovered();
    // Replies to the timed-out commands arrive late; they must not be handed to later calls.
    await degrade.set("k", "fresh");
    expect(await degrade.get("k")).toBe("fresh");
  });

  it("C14 Redis down at start-up: the cache is created within a second, degrades, and connects once Redis starts", async () => {
    await server.stop();
    const started = performance.now();
    const late = await open("degrade");
    try {
      expect(performance.now() - started).toBeLessThan(1_000 + SLACK_MS);
      expect(await late.get("k")).toBeUndefined();
      expect(late.stats.degraded).toBe(1);
      await server.restart();
      expect(await eventually(() => late.ping(), 5_000)).toBe(true);
      await late.set("k", "v");
      expect(await late.get("k")).toBe("v");
    } finally {
      await late.clear();
      await late.close();
    }
  });

  it("F5 Redis stopped for 3 s under steady getOrSet load: no failed request, p99 bounded by the timeout, recovery", async () => {
    const cache = await open("degrade");
    const loaderMs = 5;
    // A database-like loader: a few milliseconds per row, always answers.
    const loadRow = async (id: number) => {
      await delay(loaderMs);
      return { id, title: `task ${id}`, updatedAt: new Date(0) };
    };
    const latencies: number[] = [];
    let failures = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        const id = Math.floor(Math.random() * 200);
        const started = performance.now();
        try {
          const row = await cache.getOrSet(`task:${id}`, () => loadRow(id), { ttlMs: 5_000 });
          if (row?.id !== id) failures++;
        } catch {
          failures++;
        }
        latencies.push(performance.now() - started);
      }
    };
    const workers = Array.from({ length: 20 }, worker);
    try {
      await delay(1_000);
      const hitsBeforeOutage = cache.stats.hits;
      expect(hitsBeforeOutage).toBeGreaterThan(0);
      await server.stop();
      await delay(3_000);
      const degradedDuringOutage = cache.stats.degraded;
      expect(degradedDuringOutage).toBeGreaterThan(0);
      await server.restart();
      expect(await eventually(() => cache.ping(), 5_000)).toBe(true);
      const hitsAfterRecovery = cache.stats.hits;
      await delay(1_000);
      expect(cache.stats.hits).toBeGreaterThan(hitsAfterRecovery);
    } finally {
      running = false;
      await Promise.all(workers);
    }
    const summary = latencySummary(latencies);
    expect(failures).toBe(0);
    expect(summary.count).toBeGreaterThan(1_000);
    // A slow path is one cache call that times out, the load, and one write that times out.
    expect(summary.p99).toBeLessThan(2 * TIMEOUT_MS + loaderMs + SLACK_MS);
    await cache.clear();
    await cache.close();
  });
});
