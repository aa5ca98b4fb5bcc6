import type { ICache } from "../../adapters/core/index.js";

/**
 * Fixed-window rate limit per caller, shared by every gateway instance through `ICache`.
 *
 * `ICache` has no atomic increment, but `setIfAbsent` is atomic everywhere, so the window's
 * permits are split into at most 64 numbered chunks and an instance claims a chunk
 * (`<caller>:<window>:<k>`) with `setIfAbsent` before spending its permits locally. No more
 * than `limit` requests pass per window across all instances; with limits up to 64 each
 * chunk is one request and the count is exact. Most requests need no cache call at all. A
 * hint key remembers the last chunk taken so a claim usually succeeds on the first try.
 *
 * When the cache is down the limiter lets requests through (fail open): an outage of the
 * cache must not become an outage of the API.
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
  /** Requests left in this window (approximate across instances when chunks exceed one request). */
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

export interface RateLimiter {
  readonly policy: RateLimitPolicy;
  take(caller: string): Promise<RateLimitDecision>;
}

const MAX_CHUNKS = 64;

interface Held {
  /** Permits granted by the chunks this instance claimed, and how many it has spent. */
  granted: number;
  used: number;
  /** Index of the last chunk claimed, 0 before the first. */
  lastChunk: number;
}

export function createRateLimiter(cache: ICache, policy: RateLimitPolicy, now: () => number = Date.now): RateLimiter {
  if (!Number.isInteger(policy.limit) || policy.limit < 1 || !(policy.windowMs > 0)) {
    throw new Error(
      `[taskflow] [gateway] rate limit needs a positive integer limit and window, got ${JSON.stringify(policy)}`,
    );
  }
  const store = cache.withNamespace(`${cache.namespace}.ratelimit`);
  const chunk = Math.ceil(policy.limit / MAX_CHUNKS);
  const chunks = Math.ceil(policy.limit / chunk);
  const chunkSize = (k: number) => (k < chunks ? chunk : policy.limit - (chunks - 1) * chunk);
  let window = -1;
  let held = new Map<string, Held>();

  async function claim(base: string, state: Held, ttlMs: number): Promise<boolean | "degraded"> {
    const degradedBefore = store.stats.degraded;
    const hint = (await store.get<number>(`${base}:n`)) ?? 0;
    for (let k = Math.max(hint, state.lastChunk) + 1; k <= chunks; k++) {
      if (await store.setIfAbsent(`${base}:${k}`, 1, { ttlMs })) {
        await store.set(`${base}:n`, k, { ttlMs });
        state.lastChunk = k;
        state.granted += chunkSize(k);
        return true;
      }
      if (store.stats.degraded !== degradedBefore) return "degraded";
    }
    return store.stats.degraded !== degradedBefore ? "degraded" : false;
  }

  return {
    policy,
    async take(caller) {
      const time = now();
      const current = Math.floor(time / policy.windowMs);
      if (current !== window) {
        window = current;
        held = new Map();
      }
      const resetMs = (current + 1) * policy.windowMs - time;
      const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000));
      let state = held.get(caller);
      if (!state) {
        state = { granted: 0, used: 0, lastChunk: 0 };
        held.set(caller, state);
      }
      const decision = (allowed: boolean): RateLimitDecision => {
        const taken = Math.min(policy.limit, state.lastChunk * chunk) - (state.granted - state.used);
        return {
          allowed,
          limit: policy.limit,
          remaining: allowed ? Math.max(0, policy.limit - taken) : 0,
          resetSeconds,
        };
      };
      if (state.used >= state.granted) {
        let claimed: boolean | "degraded";
        try {
          // Keys outlive the window slightly so a late request never claims a chunk twice.
          claimed = await claim(`${caller}:${current}`, state, resetMs + 1000);
        } catch {
          claimed = "degraded";
        }
        if (claimed === "degraded")
          return { allowed: true, limit: policy.limit, remaining: policy.limit, resetSeconds };
        if (!claimed || state.used >= state.granted) return decision(false);
      }
      state.used++;
      return decision(true);
    },
  };
}

/**
 * Response headers per draft-ietf-httpapi-ratelimit-headers (structured fields):
 * `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=42;t=17`, plus
 * `Retry-After` on a refusal.
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
