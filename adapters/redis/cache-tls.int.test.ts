import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ICache } from "../core/cache.js";
import { CacheUnavailableError, ConfigError } from "../core/errors.js";
import { gatedTitle } from "../testing/servers.js";
import { createCacheFromEnv } from "./index.js";
import { makeTestCertificates, PrivateRedis, redisServerGate } from "./test-server.js";

/**
 * Managed Redis speaks TLS only, and Memorystore signs its certificate with a CA of its own,
 * passed in CACHE_TLS_CA. A private TLS-only redis-server with a throw-away CA stands in.
 */
const skip = redisServerGate();

describe.skipIf(skip)(gatedTitle("redis cache over TLS", skip), () => {
  let dir: string;
  let server: PrivateRedis;
  let ca: string;
  const opened: ICache[] = [];
  const open = async (env: Record<string, string>) => {
    const cache = await createCacheFromEnv({ CACHE_MODE: "strict", CACHE_TIMEOUT_MS: "1000", ...env });
    opened.push(cache);
    return cache;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-redis-tls-"));
    const tls = makeTestCertificates(dir);
    if (!tls) throw new Error("[taskflow] [tests] openssl could not make test certificates");
    ca = await readFile(tls.caFile, "utf8");
    server = await PrivateRedis.start({ tls, password: "s3cret pass" });
  });

  afterAll(async () => {
    for (const cache of opened) await cache.close();
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("connects with rediss://, the password and the server's CA, and round-trips values", async () => {
    const cache = await open({ CACHE_URL: server.url, CACHE_TLS_CA: ca, CACHE_NAMESPACE: "tls-test" });
    await cache.set("k", { at: new Date(0), n: 1n });
    expect(await cache.get("k")).toEqual({ at: new Date(0), n: 1n });
    expect(await cache.ping()).toBe(true);
  });

  it("refuses a server whose certificate it cannot verify (no CACHE_TLS_CA)", async () => {
    const cache = await open({ CACHE_URL: server.url, CACHE_NAMESPACE: "tls-test" });
    await expect(cache.get("k")).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(await cache.ping()).toBe(false);
  });

  it("names CACHE_TLS_CA when it is given with a plain redis:// URL", async () => {
    await expect(createCacheFromEnv({ CACHE_URL: "redis://127.0.0.1:6379", CACHE_TLS_CA: ca })).rejects.toThrow(
      ConfigError,
    );
    await expect(createCacheFromEnv({ CACHE_URL: "redis://127.0.0.1:6379", CACHE_TLS_CA: ca })).rejects.toThrow(
      /CACHE_TLS_CA.*use rediss:\/\//,
    );
  });
});
