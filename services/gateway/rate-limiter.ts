import type { ICache } from "../../adapters/core/index.js";

/**
 * Fixed-window rate limit per caller, shared by every gateway instance through `ICache`.
 *
 * `ICache` has no atomic increment, but `setIfAbsent` is atomic everywhere, so each admitted
 * request claims a numbered slot `<caller>:<window>:<n>`; a request is admitted only if it
 * wins a slot ≤ limit. A hint key remembers the last slot taken so a request usually needs
 * two cache calls. When the cache is down the limiter lets requests through (fail open): an
 * outage of the cache must not become an outage of the API.
 */
export interface RateLimitPolicy {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Name shown in the `RateLimit-Policy` header. @default "default" */
  readonly name?: string;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  take(caller: string): Promise<RateLimitDecision>;
}

export function createRateLimiter(cache: ICache, policy: RateLimitPolicy, now: () => number = Date.now): RateLimiter {
  const store = cache.withNamespace(`${cache.namespace}:ratelimit`);
  return {
    policy,
    async take(caller) {
      const time = now();
      const window = Math.floor(time / policy.windowMs);
      const resetMs = (window + 1) * policy.windowMs - time;
      const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
      // Keys outlive the window slightly so a slow request never claims a slot twice.
      const ttlMs = resetMs + 1000;
      const base = `${caller}:${window}`;
      const degradedBefore = store.stats.degraded;
      const open = { allowed: true, limit: policy.limit, remaining: policy.limit, resetSeconds };
      try {
        const hint = (await store.get<number>(`${base}:n`)) ?? 0;
        for (let slot = hint + 1; slot <= policy.limit; slot++) {
          if (await store.setIfAbsent(`${base}:${slot}`, 1, { ttlMs })) {
            await store.set(`${base}:n`, slot, { ttlMs });
            return { allowed: true, limit: policy.limit, remaining: policy.limit - slot, resetSeconds };
          }
          if (store.stats.degraded !== degradedBefore) return open;
        }
        if (store.stats.degraded !== degradedBefore) return open;
        return { allowed: false, limit: policy.limit, remaining: 0, resetSeconds };
      } catch {
        return open;
      }
    },
  };
}

/**
 * Response headers per draft-ietf-httpapi-ratelimit-headers (structured fields):
 * `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=42;t=17`.
 */
export function rateLimitHeaders(policy: RateLimitPolicy, decision: RateLimitDecision): Record<string, string> {
  const name = policy.name ?? "default";
  const headers: Record<string, string> = {
    "RateLimit-Policy": `"${name}";q=${policy.limit};w=${Math.ceil(policy.windowMs / 1000)}`,
    RateLimit: `"${name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers["Retry-After"] = String(decision.resetSeconds);
  return headers;
}
