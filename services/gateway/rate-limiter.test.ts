import { describe, expect, it } from "vitest";
import { MemoryCache } from "../../adapters/memory/cache.js";
import { createRateLimiter, rateLimitHeaders } from "./rate-limiter.js";

describe("rate limiter", () => {
  it("admits exactly the limit per window, then refuses until the window turns", async () => {
    let time = 1_000_000;
    const limiter = createRateLimiter(
      new MemoryCache({ namespace: `rl-${Date.now()}`, now: () => time }),
      { limit: 5, windowMs: 10_000 },
      () => time,
    );
    const decisions = await Promise.all(Array.from({ length: 8 }, () => limiter.take("alice")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(
      decisions
        .filter((d) => d.allowed)
        .map((d) => d.remaining)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    expect((await limiter.take("bob")).allowed).toBe(true);
    time += 10_000;
    expect((await limiter.take("alice")).allowed).toBe(true);
  });

  it("shares the budget between instances through the cache, in chunks for large limits", async () => {
    // A fixed clock: on the wall clock the minute could turn mid-loop and grant a second window.
    const time = 1_000_000;
    const cache = new MemoryCache({ namespace: `rl-${Date.now()}-shared`, now: () => time });
    const policy = { limit: 1000, windowMs: 60_000 };
    const a = createRateLimiter(cache, policy, () => time);
    const b = createRateLimiter(cache, policy, () => time);
    let allowed = 0;
    for (let i = 0; i < 1200; i++) if ((await (i % 2 ? a : b).take("carol")).allowed) allowed++;
    expect(allowed).toBeGreaterThan(900);
    expect(allowed).toBeLessThanOrEqual(1000);
  });

  it("lets requests through while the cache is down", async () => {
    const faults = { unavailable: true };
    const limiter = createRateLimiter(new MemoryCache({ namespace: `rl-${Date.now()}-down`, faults }), {
      limit: 1,
      windowMs: 60_000,
    });
    expect((await limiter.take("dave")).allowed).toBe(true);
    expect((await limiter.take("dave")).allowed).toBe(true);
  });

  it("writes the draft's structured headers and Retry-After on a refusal", () => {
    const headers = rateLimitHeaders(
      { limit: 100, windowMs: 60_000 },
      { allowed: false, limit: 100, remaining: 0, resetSeconds: 17 },
    );
    expect(headers).toEqual({
      "RateLimit-Policy": '"default";q=100;w=60',
      RateLimit: '"default";r=0;t=17',
      "Retry-After": "17",
    });
  });
});
