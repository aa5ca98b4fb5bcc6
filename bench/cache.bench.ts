import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { MemoryCache } from "../adapters/memory/cache.js";
import { connectRedisCache } from "../adapters/redis/cache.js";
import type { RedisEndpoint } from "../adapters/redis/config.js";
import { measureInterleaved, measureThroughput, type Throughput } from "./lib/measure.js";
import { type BenchResult, writeReport } from "./lib/report.js";
import { requireServer } from "./lib/skip.js";

/**
 * ICache over Redis against raw ioredis doing the same commands in the same run, plus the
 * in-memory cache. Redis figures are costs in µs per operation, both the client's CPU time
 * (steady on a busy shared machine) and the wall clock, so ratio = adapter / baseline and
 * below 1 means cheaper than raw ioredis; the target for get is ≤ 1.10.
 */

const ENDPOINT: RedisEndpoint = { host: "127.0.0.1", port: 6379, db: 0 };
const KEYS = 1_000;
const IN_FLIGHT = 100;
const TIMEOUT_MS = 250;

await requireServer("Redis", ENDPOINT.host, ENDPOINT.port, 'start it with: redis-server --port 6379 --save ""');

const namespace = `tf-bench-${randomUUID().slice(0, 8)}`;
const cache = await connectRedisCache(ENDPOINT, { namespace, timeoutMs: TIMEOUT_MS });
// The baseline is what an application would write without the adapter: a default client.
const raw = new Redis({ host: ENDPOINT.host, port: ENDPOINT.port });
await raw.ping();

// A realistic cached row: a task as the tasks service reads it, about 250 bytes of JSON.
const row = (i: number) => ({
  id: `0b6f7c1e-${String(i).padStart(4, "0")}-4a53-9d7e-6b1f0a2c3d4e`,
  title: `Write the release notes ${i}`,
  status: "doing",
  priority: "high",
  tags: ["docs", "release"],
  assignee: "f3a2c1d0-1111-4222-8333-944455556666",
  position: i,
  updatedAt: "2026-11-30T10:00:00.000Z",
});
const keys = Array.from({ length: KEYS }, (_, i) => `task:${i}`);
const fullKeys = keys.map((key) => `${namespace}:${key}`);
await cache.setMany(keys.map((key, i) => ({ key, value: row(i), ttlMs: 600_000 })));

const results: BenchResult[] = [];
const at = (i: number) => i % KEYS;
const CPU = "CPU µs/op (lower is better)";
const WALL = "wall µs/op (lower is better)";

/** Adds the CPU and wall-clock rows of `subject` against `baseline`. */
function addRows(label: string, subject: Throughput, baselineName: string, baseline: Throughput): void {
  results.push({
    name: `${label}, client CPU`,
    value: subject.cpuUsPerOp,
    unit: CPU,
    baseline: { name: baselineName, value: baseline.cpuUsPerOp },
  });
  results.push({
    name: `${label}, wall clock`,
    value: subject.usPerOp,
    unit: WALL,
    baseline: { name: baselineName, value: baseline.usPerOp },
  });
}

for (const inFlight of [1, IN_FLIGHT]) {
  const mode = inFlight === 1 ? "sequential" : `${inFlight} in flight`;
  // Many short rounds: on a shared machine the median of many is steadier than a few long ones.
  const options = { concurrency: inFlight, opsPerRound: inFlight === 1 ? 2_000 : 10_000, rounds: 21 };

  const get = await measureInterleaved(
    {
      adapter: (i) => cache.get(keys[at(i)]!),
      raw: (i) => raw.get(fullKeys[at(i)]!),
      rawParsed: async (i) => JSON.parse((await raw.get(fullKeys[at(i)]!)) ?? "null"),
    },
    options,
  );
  addRows(`redis ICache get (${mode})`, get.adapter, "raw ioredis get", get.raw);
  addRows(`redis ICache get (${mode})`, get.adapter, "raw ioredis get + JSON.parse", get.rawParsed);

  const set = await measureInterleaved(
    {
      adapter: (i) => cache.set(keys[at(i)]!, row(at(i)), { ttlMs: 600_000 }),
      rawStringified: (i) => raw.set(fullKeys[at(i)]!, JSON.stringify(row(at(i))), "PX", 600_000),
    },
    options,
  );
  addRows(
    `redis ICache set with TTL (${mode})`,
    set.adapter,
    "raw ioredis set PX + JSON.stringify",
    set.rawStringified,
  );
}

const memory = new MemoryCache({ namespace: "bench" });
await memory.setMany(keys.map((key, i) => ({ key, value: row(i) })));
const memoryGet = await measureThroughput((i) => memory.get(keys[at(i)]!), { opsPerRound: 200_000 });
const memorySet = await measureThroughput((i) => memory.set(keys[at(i)]!, row(at(i))), { opsPerRound: 200_000 });
results.push({ name: "memory ICache get", value: memoryGet.opsPerSec, unit: "ops/s (higher is better)" });
results.push({ name: "memory ICache set", value: memorySet.opsPerSec, unit: "ops/s (higher is better)" });

const report = await writeReport("cache", results);
for (const result of report.results) {
  const ratio = result.ratio === undefined ? "" : `  ratio ${result.ratio} vs ${result.baseline?.name}`;
  console.log(`${result.name}: ${result.value} ${result.unit}${ratio}`);
}

await cache.clear();
await cache.close();
await memory.close();
raw.disconnect();
