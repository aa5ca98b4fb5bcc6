import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { ClosedError, TaskflowError } from "../core/errors.js";
import { clientOptions, RedisCache } from "./cache.js";
import { parseRedisUrl, type RedisEndpoint } from "./config.js";

describe("redis cache client options", () => {
  it("carries TLS, user and password from a rediss:// URL to the client", () => {
    const endpoint = parseRedisUrl("rediss://app:s3cret@cache.example.internal:6380/1") as RedisEndpoint;
    expect(clientOptions(endpoint, 250)).toMatchObject({
      host: "cache.example.internal",
      port: 6380,
      db: 1,
      username: "app",
      password: "s3cret",
      tls: { servername: "cache.example.internal" },
    });
  });

  it("never queues a call while disconnected and never resends one after a reconnect", () => {
    const options = clientOptions({ host: "127.0.0.1", port: 6379, db: 0 }, 250);
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.maxRetriesPerRequest).toBe(0);
    expect(options.autoResendUnfulfilledCommands).toBe(false);
    expect(options).not.toHaveProperty("tls");
    expect(options).not.toHaveProperty("password");
  });

  it("keeps reconnecting in the background with a backoff capped at one second", () => {
    const retry = clientOptions({ host: "127.0.0.1", port: 6379, db: 0 }, 250).retryStrategy!;
    const delays = [1, 2, 3, 10, 1_000].map((attempt) => retry(attempt));
    expect(delays).toEqual([100, 200, 400, 1_000, 1_000]);
  });
});

describe("redis cache without a server", () => {
  it("refuses an unsafe namespace, and every call after close() throws ClosedError", async () => {
    const client = new Redis({ lazyConnect: true, port: 1, enableOfflineQueue: false });
    expect(() => new RedisCache(client, { namespace: "a:*" })).toThrow(TaskflowError);
    const cache = new RedisCache(client, { namespace: "ok" });
    await cache.close();
    await expect(cache.get("k")).rejects.toBeInstanceOf(ClosedError);
    expect(() => cache.withNamespace("other")).toThrow(ClosedError);
  });
});
