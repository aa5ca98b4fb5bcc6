import type { ConnectionOptions } from "node:tls";
import { z } from "zod";
import { type Env, readConfig } from "../core/config.js";

/**
 * Settings of the Redis cache. `CACHE_URL` carries the password, so it is never echoed:
 * `readConfig` masks it and the URL parser below reports problems without the value.
 */

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  /** Present for `rediss://`: TLS with SNI on the host name, certificates verified. */
  readonly tls?: ConnectionOptions;
}

/**
 * `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS), as ElastiCache, Azure
 * Managed Redis and Memorystore hand them out. Returns the problem as a string instead of
 * throwing so the message can never carry the URL.
 */
export function parseRedisUrl(text: string): RedisEndpoint | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL; use redis://[user:password@]host:port[/db] or rediss:// for TLS";
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    return `must start with redis:// or rediss:// (TLS), not ${url.protocol}//`;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) return "has no host; use redis://host:6379";
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) return `has database "${dbText}" in its path; use a whole number such as /0`;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const isIp = /^[\d.]+$/.test(host) || host.includes(":");
  return {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(url.protocol === "rediss:" ? { tls: isIp ? {} : { servername: host } } : {}),
  };
}

export const redisCacheConfigSchema = z
  .object({
    CACHE_URL: z.string({ error: "is required for the Redis cache" }).transform((text, ctx) => {
      const parsed = parseRedisUrl(text);
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
    CACHE_MODE: z.enum(["degrade", "strict"]).default("degrade"),
    CACHE_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
    CACHE_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,128}$/, "must be 1-128 letters, digits, '.', '_' or '-'")
      .default("taskflow"),
    /** PEM of the CA behind the server's certificate (Memorystore has its own); trusted instead of Node's default roots. */
    CACHE_TLS_CA: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
  })
  .transform((config, ctx) => {
    if (config.CACHE_TLS_CA === undefined) return config;
    if (!config.CACHE_URL.tls) {
      ctx.addIssue({
        code: "custom",
        path: ["CACHE_TLS_CA"],
        message: "is set but CACHE_URL is redis:// (no TLS); use rediss:// or unset CACHE_TLS_CA",
      });
      return z.NEVER;
    }
    return { ...config, CACHE_URL: { ...config.CACHE_URL, tls: { ...config.CACHE_URL.tls, ca: config.CACHE_TLS_CA } } };
  });

export type RedisCacheConfig = z.infer<typeof redisCacheConfigSchema>;

const HINTS: Record<string, string> = {
  CACHE_URL: "e.g. rediss://:password@host:6380 (the stack injects it as a secret)",
  CACHE_MODE: "set it to degrade (a miss when Redis is down) or strict (an error)",
  CACHE_TIMEOUT_MS: "set it to a whole number of milliseconds, e.g. 250",
};

export function readRedisCacheConfig(env: Env): RedisCacheConfig {
  return readConfig(redisCacheConfigSchema, env, HINTS);
}
