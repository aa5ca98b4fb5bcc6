import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { runCacheContract } from "../testing/cache-contract.js";
import { gatedTitle, serverGate } from "../testing/servers.js";
import { connectRedisCache } from "./cache.js";
import type { RedisEndpoint } from "./config.js";
import { createCacheFromEnv } from "./index.js";
import { PrivateRedis, redisServerGate } from "./test-server.js";

const SHARED: RedisEndpoint = { host: "127.0.0.1", port: 6379, db: 0 };
/** On the shared server: generous, so a busy CI machine never turns a slow reply into a miss. */
const SHARED_TIMEOUT_MS = 1_000;
/** On the private servers that C14 stops: short, so the bound it checks stays tight. */
const TIMEOUT_MS = 300;
const sharedSkip = await serverGate(
  "Redis",
  SHARED,
  'start it with: redis-server --daemonize yes --port 6379 --save "" --appendonly no',
);
const privateSkip = redisServerGate();

/**
 * C14 needs a server the test may stop, so it runs against a private `redis-server` started
 * on demand, never the shared one.
 */
function privateFaults(options: { cluster: boolean }) {
  let server: Promise<PrivateRedis> | undefined;
  const started = () => {
    server ??= PrivateRedis.start(options);
    return server;
  };
  afterAll(async () => {
    if (server) await (await server).dispose();
  });
  return {
    create: async ({ namespace, mode }: { namespace: string; mode: "degrade" | "strict" }) => {
      const { port } = await started();
      return connectRedisCache({ host: "127.0.0.1", port, db: 0 }, { namespace, mode, timeoutMs: TIMEOUT_MS });
    },
    makeUnavailable: async () => (await started()).stop(),
    restore: async () => (await started()).restart(),
    commandTimeoutMs: TIMEOUT_MS,
  };
}

runCacheContract(
  "redis",
  async ({ namespace, mode }) => connectRedisCache(SHARED, { namespace, mode, timeoutMs: SHARED_TIMEOUT_MS }),
  {
    skip: sharedSkip,
    time: "real",
    faults: privateSkip ? { skip: privateSkip } : privateFaults({ cluster: false }),
  },
);

// The same suite on a cluster-mode node, where a multi-key command across slots is refused
// with CROSSSLOT: C07 there proves the adapter splits reads per slot.
let clusterNode: Promise<PrivateRedis> | undefined;
afterAll(async () => {
  if (clusterNode) await (await clusterNode).dispose();
});
runCacheContract(
  "redis (cluster-mode node)",
  async ({ namespace, mode }) => {
    clusterNode ??= PrivateRedis.start({ cluster: true });
    const { port } = await clusterNode;
    return connectRedisCache({ host: "127.0.0.1", port, db: 0 }, { namespace, mode, timeoutMs: SHARED_TIMEOUT_MS });
  },
  {
    skip: privateSkip,
    time: "real",
    faults: privateSkip ? { skip: privateSkip } : privateFaults({ cluster: true }),
  },
);

describe.skipIf(Boolean(sharedSkip))(gatedTitle("redis cache: server specifics", sharedSkip), () => {
  const namespace = `tf-redis-${randomUUID().slice(0, 8)}`;
  const raw = new Redis({ host: SHARED.host, port: SHARED.port, lazyConnect: true });

  afterAll(async () => {
    await raw.del(`${namespace}x:outside`, `${namespace}-other:kept`);
    raw.disconnect();
  });

  it("clear() removes only keys under '<namespace>:' and leaves look-alike prefixes alone", async () => {
    const cache = await connectRedisCache(SHARED, { namespace });
    try {
      await cache.set("a", 1);
      await raw.set(`${namespace}x:outside`, "stays");
      await raw.set(`${namespace}-other:kept`, "stays");
      for (let i = 0; i < 1_200; i++) await raw.set(`${namespace}:bulk:${i}`, "v", "EX", 60);
      await cache.clear();
      expect(await raw.exists(`${namespace}:a`, `${namespace}:bulk:0`, `${namespace}:bulk:1199`)).toBe(0);
      expect(await raw.get(`${namespace}x:outside`)).toBe("stays");
      expect(await raw.get(`${namespace}-other:kept`)).toBe("stays");
    } finally {
      await cache.close();
    }
  });

  it("stores values as codec text that another process can read", async () => {
    const cache = await connectRedisCache(SHARED, { namespace });
    try {
      await cache.set("when", new Date("2026-05-01T00:00:00.000Z"));
      expect(await raw.get(`${namespace}:when`)).toBe('{"$tf":"date","v":"2026-05-01T00:00:00.000Z"}');
      await cache.clear();
    } finally {
      await cache.close();
    }
  });

  it("is built from CACHE_URL and CACHE_* settings by createCacheFromEnv", async () => {
    const cache = await createCacheFromEnv({
      CACHE_URL: `redis://${SHARED.host}:${SHARED.port}/0`,
      CACHE_NAMESPACE: namespace,
      CACHE_MODE: "strict",
    });
    try {
      expect(cache.name).toBe("redis");
      expect(cache.namespace).toBe(namespace);
      expect(await cache.ping()).toBe(true);
    } finally {
      await cache.close();
    }
  });
});

describe.skipIf(Boolean(privateSkip))(gatedTitle("redis cache: cluster-mode node", privateSkip), () => {
  it("refuses a raw cross-slot MGET, which is what the adapter avoids", async () => {
    clusterNode ??= PrivateRedis.start({ cluster: true });
    const { port } = await clusterNode;
    const raw = new Redis({ host: "127.0.0.1", port, lazyConnect: true });
    try {
      await raw.connect();
      await expect(raw.mget("foo", "bar")).rejects.toThrow(/CROSSSLOT/);
    } finally {
      raw.disconnect();
    }
  });
});
