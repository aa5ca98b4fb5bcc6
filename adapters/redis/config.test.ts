import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { parseRedisUrl, readRedisCacheConfig } from "./config.js";

describe("redis cache config", () => {
  it("reads host, port, database and defaults from a redis:// URL", () => {
    expect(parseRedisUrl("redis://cache.internal:6380/2")).toEqual({ host: "cache.internal", port: 6380, db: 2 });
    expect(parseRedisUrl("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379, db: 0 });
  });

  it("turns rediss:// into TLS with SNI on the host name and decodes user and password", () => {
    expect(parseRedisUrl("rediss://app:p%40ss%3Aword@my.redis.cache.windows.net:6380")).toEqual({
      host: "my.redis.cache.windows.net",
      port: 6380,
      db: 0,
      username: "app",
      password: "p@ss:word",
      tls: { servername: "my.redis.cache.windows.net" },
    });
    expect(parseRedisUrl("rediss://:secret@10.0.0.5:6378")).toMatchObject({ password: "secret", tls: {} });
    expect(parseRedisUrl("rediss://[::1]:6380")).toMatchObject({ host: "::1", tls: {} });
  });

  it("explains a bad URL without echoing it", () => {
    expect(parseRedisUrl("http://h:1")).toMatch(/must start with redis:\/\/ or rediss:\/\//);
    expect(parseRedisUrl("redis://h/db")).toMatch(/database "db"/);
    expect(parseRedisUrl("not a url")).toMatch(/is not a URL/);
  });

  it("applies defaults for mode, timeout and namespace", () => {
    const config = readRedisCacheConfig({ CACHE_URL: "redis://127.0.0.1:6379" });
    expect(config).toMatchObject({ CACHE_MODE: "degrade", CACHE_TIMEOUT_MS: 250, CACHE_NAMESPACE: "taskflow" });
  });

  it("reports every problem at once and never prints the password", () => {
    let error: unknown;
    try {
      readRedisCacheConfig({
        CACHE_URL: "redis://:hunter2@host/x",
        CACHE_MODE: "lenient",
        CACHE_TIMEOUT_MS: "-5",
        CACHE_NAMESPACE: "a:b",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    for (const name of ["CACHE_URL", "CACHE_MODE", "CACHE_TIMEOUT_MS", "CACHE_NAMESPACE"]) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
    expect((error as Error).message).not.toContain("hunter2");
  });

  it("requires CACHE_URL", () => {
    expect(() => readRedisCacheConfig({})).toThrow(/CACHE_URL \(unset\): is required for the Redis cache/);
  });
  it("trusts CACHE_TLS_CA instead of the default roots on a rediss:// URL", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const config = readRedisCacheConfig({ CACHE_URL: "rediss://:p@cache.internal:6378", CACHE_TLS_CA: pem });
    expect(config.CACHE_URL.tls).toEqual({ servername: "cache.internal", ca: pem });
    expect(() => readRedisCacheConfig({ CACHE_URL: "rediss://h:1", CACHE_TLS_CA: "not a pem" })).toThrow(
      /CACHE_TLS_CA.*PEM certificate/,
    );
  });
});
