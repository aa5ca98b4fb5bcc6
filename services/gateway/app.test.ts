import { generateKeyPairSync, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signingKeyFromPem } from "../identity/domain/signing-key.js";
import { signAccessToken } from "../identity/domain/tokens.js";
import { type GatewayHarness, startGatewayHarness } from "./test-upstreams.js";

let harness: GatewayHarness;
beforeAll(async () => {
  harness = await startGatewayHarness({
    gateway: {
      rateLimit: { limit: 1000, windowMs: 60_000 },
      bodyLimitBytes: 1024,
      cors: { origins: ["https://app.example.test"] },
    },
  });
});
afterAll(() => harness?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${harness.base}${path}`, { headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("gateway: tokens", () => {
  const path = "/api/v1/boards/owned-by-u1";

  it("accepts a valid token and forwards it, never the dev identity header", async () => {
    const res = await get(path, { ...bearer(await harness.token("u1")), "x-dev-user": "someone-else" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: "u1" });
    const forwarded = harness.stubs.tasks.seen.at(-1)!.headers;
    expect(forwarded["x-dev-user"]).toBeUndefined();
    expect(forwarded["x-request-id"]).toBe(res.headers.get("x-request-id"));
  });

  it("rejects alg none, a foreign key under our kid, an expired token, and the wrong audience or issuer", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: "u1",
      roles: ["user"],
      iss: harness.tokens.issuer,
      aud: harness.tokens.audience,
      iat: now,
      exp: now + 600,
    };
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const foreign = await signingKeyFromPem(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    );
    const wrongKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: harness.key.kid })
      .sign(foreign.privateKey);
    const expired = await new SignJWT({ ...claims, iat: now - 3600, exp: now - 60 })
      .setProtectedHeader({ alg: "ES256", kid: harness.key.kid })
      .sign(harness.key.privateKey);
    const wrongAudience = await signAccessToken(
      harness.key,
      { ...harness.tokens, audience: "someone-else" },
      { sub: "u1", email: "", roles: ["user"], sessionId: "s1" },
    );
    const wrongIssuer = await signAccessToken(
      harness.key,
      { ...harness.tokens, issuer: "evil" },
      { sub: "u1", email: "", roles: ["user"], sessionId: "s1" },
    );
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: harness.key.kid })
      .sign(new TextEncoder().encode("x".repeat(32)));
    for (const token of [none, wrongKey, expired, wrongAudience, wrongIssuer, hs256, "garbage"]) {
      const res = await get(path, bearer(token));
      expect(res.status, token.slice(0, 30)).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect(harness.stubs.tasks.seen.filter((r) => r.headers.authorization?.includes(none))).toHaveLength(0);
  });
});

describe("gateway: edge", () => {
  it("sets security headers and answers CORS preflights for allowed origins only", async () => {
    const res = await get("/api/v1/boards/owned-by-u1", bearer(await harness.token("u1")));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    const preflight = (origin: string) =>
      fetch(`${harness.base}/api/v1/boards`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
    const allowed = await preflight("https://app.example.test");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.test");
    expect((await preflight("https://evil.example.test")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("puts the security headers on every answer, health, docs and 404 included, and serves no metrics publicly", async () => {
    for (const path of ["/health/live", "/health/ready", "/api/docs", "/api/docs/openapi.json", "/nowhere"]) {
      const res = await get(path);
      await res.arrayBuffer();
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
    }
    const metrics = await get("/metrics");
    expect(await metrics.text()).not.toContain("http_request");
    expect(metrics.status).toBe(404);
  });

  it("refuses a body over the limit with 413, JSON or not", async () => {
    const headers = { ...bearer(await harness.token("u1")) };
    const big = JSON.stringify({ text: "x".repeat(2_000) });
    const json = await fetch(`${harness.base}/api/v1/boards`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: big,
    });
    expect(json.status).toBe(413);
    const raw = await fetch(`${harness.base}/api/v1/boards`, {
      method: "POST",
      headers: { ...headers, "content-type": "text/plain" },
      body: big,
    });
    expect(raw.status).toBe(413);
  });

  it("answers 404 problem+json for a path no route serves", async () => {
    const res = await get("/api/v1/nowhere", bearer(await harness.token("u1")));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });

  it("answers 405 problem+json with Allow for a method its own paths do not serve", async () => {
    const res = await fetch(`${harness.base}/.well-known/jwks.json`, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("gateway: rate limit", () => {
  it("answers 429 with RateLimit headers and Retry-After past the limit, and recovers in the next window", async () => {
    const limited = await startGatewayHarness({ gateway: { rateLimit: { limit: 3, windowMs: 1_000 } } });
    try {
      const auth = bearer(await limited.token("busy"));
      // Windows are fixed 1 s slots of the wall clock: start the burst at the top of one so it cannot straddle two.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000)));
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${limited.base}/api/v1/boards/owned-by-busy`, { headers: auth });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(last!.headers.get("ratelimit-policy")).toBe('"default";q=3;w=1');
      expect(last!.headers.get("ratelimit")).toMatch(/^"default";r=0;t=\d+$/);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Another caller has a budget of their own.
      expect(
        (await fetch(`${limited.base}/api/v1/boards/owned-by-calm`, { headers: bearer(await limited.token("calm")) }))
          .status,
      ).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Number(last!.headers.get("retry-after")) * 1000));
      expect((await fetch(`${limited.base}/api/v1/boards/owned-by-busy`, { headers: auth })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("gateway: sign-in budgets", () => {
  it("gives refresh and API-key exchange budgets of their own: guessing passwords does not stop them", async () => {
    const limited = await startGatewayHarness({
      apiKeys: { "key-1": { userId: "u1", scope: "tasks:read" } },
      gateway: { authRateLimit: { limit: 3, windowMs: 60_000 } },
    });
    try {
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${limited.base}/api/v1${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        return res;
      };
      const logins: number[] = [];
      for (let i = 0; i < 5; i++) logins.push((await post("/auth/login", { email: "a@b.c", password: "x" })).status);
      expect(logins.slice(3)).toEqual([429, 429]);
      const refresh = await post("/auth/refresh", { refreshToken: "r" });
      expect(refresh.status).not.toBe(429);
      expect(refresh.headers.get("ratelimit-policy")).toContain('"refresh"');
      const exchange = await post("/auth/token", { apiKey: "key-1" });
      expect(exchange.status).toBe(200);
      expect(exchange.headers.get("ratelimit-policy")).toContain('"token-exchange"');
    } finally {
      await limited.close();
    }
  });
});

describe("gateway: rate limit before authentication", () => {
  it("limits each client address before any credential is checked: anonymous floods, bad API keys and forged tokens", async () => {
    const limited = await startGatewayHarness({
      gateway: { clientRateLimit: { limit: 20, windowMs: 60_000 }, trustedProxyHops: 1 },
    });
    try {
      const from = (client: string, headers: Record<string, string> = {}) => ({
        "x-forwarded-for": client,
        ...headers,
      });
      const flood = async (headers: () => Record<string, string>) => {
        const statuses: number[] = [];
        for (let i = 0; i < 60; i++) {
          const res = await fetch(`${limited.base}/api/v1/boards`, { headers: headers() });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        return statuses;
      };
      const exchanges = () => limited.stubs.identity.seen.filter((s) => s.url.endsWith("/auth/token")).length;
      const anonymous = await flood(() => from("203.0.113.1"));
      const before = exchanges();
      const badKeys = await flood(() => from("203.0.113.2", { "x-api-key": `tfk_${"a".repeat(12)}_${randomUUID()}` }));
      const keyCalls = exchanges() - before;
      const forged = await flood(() => from("203.0.113.3", { authorization: `Bearer ${randomUUID()}.e30.sig` }));
      for (const [what, statuses] of Object.entries({ anonymous, badKeys, forged })) {
        expect(
          statuses.slice(0, 20).every((s) => s === 401),
          what,
        ).toBe(true);
        expect(
          statuses.slice(20).every((s) => s === 429),
          what,
        ).toBe(true);
      }
      // Each bad key past the limit no longer costs a call to identity.
      expect(keyCalls).toBeLessThanOrEqual(20);
      // A signed-in user at another address is not held back by them.
      const res = await fetch(`${limited.base}/api/v1/boards/owned-by-calm`, {
        headers: from("198.51.100.4", bearer(await limited.token("calm"))),
      });
      expect(res.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("gateway: resilience", () => {
  it("opens the breaker when an upstream is down, answers 503 within 100 ms, and closes when it is back", async () => {
    const auth = bearer(await harness.token("u1"));
    const url = `${harness.base}/api/v1/notifications/owned-by-u1`;
    await harness.stubs.notifications.stop();
    for (let i = 0; i < 4 && harness.gateway.upstreams.notifications.policy.state !== "open"; i++) {
      const res = await get("/api/v1/notifications/owned-by-u1", auth);
      expect(res.status).toBe(503);
    }
    expect(harness.gateway.upstreams.notifications.policy.state).toBe("open");
    const started = performance.now();
    const fast = await fetch(url, { headers: auth });
    const elapsed = performance.now() - started;
    expect(fast.status).toBe(503);
    expect(fast.headers.get("content-type")).toContain("application/problem+json");
    expect(fast.headers.get("retry-after")).toBe("5");
    expect(((await fast.json()) as { detail: string }).detail).toContain("notifications");
    expect(elapsed).toBeLessThan(100);
    // Other upstreams are unaffected, and a view marks the missing part instead of failing.
    const dashboard = await get("/api/v1/dashboard", auth);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.json()).toMatchObject({
      partial: true,
      unavailable: ["notifications"],
      notifications: null,
    });

    await harness.stubs.notifications.restart();
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await fetch(url, { headers: auth })).status).toBe(200);
    expect(harness.gateway.upstreams.notifications.policy.state).toBe("closed");
    expect(await (await get("/api/v1/dashboard", auth)).json()).toMatchObject({ partial: false, unavailable: [] });
  });

  it("counts only upstream failures: 100 bad requests from one caller leave another caller at 100 % success", async () => {
    const mallory = bearer(await harness.token("mallory"));
    const alice = bearer(await harness.token("alice"));
    const policy = harness.gateway.upstreams.users.policy;
    // A 4xx, or a 500 one request's own input caused, says nothing about the service's health.
    const answers = [400, 404, 409, 413, 422];
    for (let i = 0; i < 100; i++) {
      const status = i < 50 ? 500 : answers[i % answers.length]!;
      const res = await fetch(`${harness.base}/api/v1/organizations/answers-${status}`, {
        method: i % 2 ? "POST" : "GET",
        headers: { ...mallory, "content-type": "application/json" },
        ...(i % 2 ? { body: "{}" } : {}),
      });
      expect(res.status).toBe(status);
    }
    expect(policy.state).toBe("closed");
    let ok = 0;
    for (let i = 0; i < 20; i++)
      ok += (await get("/api/v1/organizations/owned-by-alice", alice)).status === 200 ? 1 : 0;
    expect(ok).toBe(20);
    // The upstream saying it is unavailable still counts.
    for (let i = 0; i < 3; i++) await get("/api/v1/organizations/answers-503", mallory);
    expect(policy.state).toBe("open");
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await get("/api/v1/organizations/owned-by-alice", alice)).status).toBe(200);
  });

  it("passes a view's primary 404 through: another user's board details are not found", async () => {
    const res = await get("/api/v1/boards/owned-by-u1/details", bearer(await harness.token("u2")));
    expect(res.status).toBe(404);
  });
});
