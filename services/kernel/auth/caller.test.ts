import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../adapters/core/errors.js";
import { parseServiceEnv } from "../env.js";
import { UnauthorizedError } from "../errors.js";
import { devHeaderIdentitySource, firstOf, type IdentitySource, jwtIdentitySource } from "./caller.js";

describe("caller identity", () => {
  let sign: (
    claims: Record<string, unknown>,
    options?: { issuer?: string; audience?: string; exp?: string | number; iat?: number },
  ) => Promise<string>;
  let source: IdentitySource;
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    keys = createLocalJWKSet({ keys: [jwk] });
    source = jwtIdentitySource({
      keys,
      issuer: "taskflow-identity",
      audience: "taskflow",
    });
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setIssuer(options.issuer ?? "taskflow-identity")
        .setAudience(options.audience ?? "taskflow")
        .setIssuedAt(options.iat)
        .setExpirationTime(options.exp ?? "5m")
        .sign(privateKey);
  });

  it("a valid access token yields user id, email, roles and API-key scopes", async () => {
    const token = await sign({
      sub: "u-1",
      email: "a@example.com",
      roles: ["user", "admin"],
      scope: "tasks:read tasks:write",
    });
    expect(await source({ authorization: `Bearer ${token}` })).toEqual({
      userId: "u-1",
      email: "a@example.com",
      roles: ["user", "admin"],
      scopes: ["tasks:read", "tasks:write"],
      via: "jwt",
    });
  });

  it("no Authorization header is no caller; a wrong issuer, audience, expiry or scheme is a 401", async () => {
    expect(await source({})).toBeUndefined();
    for (const token of [
      await sign({ sub: "u" }, { issuer: "someone-else" }),
      await sign({ sub: "u" }, { audience: "other" }),
      await sign({ sub: "u" }, { exp: "-1m" }),
    ]) {
      await expect(source({ authorization: `Bearer ${token}` })).rejects.toBeInstanceOf(UnauthorizedError);
    }
    await expect(source({ authorization: "Basic abc" })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("a token verified once is answered from memory until it expires, then refused", async () => {
    const token = await sign({ sub: "u-2" }, { exp: "5m" });
    const first = await source({ authorization: `Bearer ${token}` });
    expect(await source({ authorization: `Bearer ${token}` })).toEqual(first);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 6 * 60_000);
      await expect(source({ authorization: `Bearer ${token}` })).rejects.toBeInstanceOf(UnauthorizedError);
    } finally {
      vi.useRealTimers();
    }
  });

  it("the development header names the caller; the first source with credentials decides", async () => {
    const both = firstOf(source, devHeaderIdentitySource());
    expect(await both({ "x-dev-user": "dev-1" })).toEqual({ userId: "dev-1", roles: ["user"], via: "dev-header" });
    expect(await both({ "x-dev-user": "dev-1", "x-dev-roles": "user,admin" })).toMatchObject({
      roles: ["user", "admin"],
    });
    expect(await both({})).toBeUndefined();
  });

  it("refuses an iat in the future and a token older than the longest lifetime, whatever its exp", async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await sign({ sub: "u" }, { iat: now + 3600, exp: now + 7200 });
    const ancient = await sign({ sub: "u" }, { iat: now - 86_400, exp: now + 3600 });
    for (const token of [future, ancient]) {
      await expect(source({ authorization: `Bearer ${token}` })).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const fresh = await sign({ sub: "u" }, { iat: now - 30, exp: now + 600 });
    expect(await source({ authorization: `Bearer ${fresh}` })).toMatchObject({ userId: "u" });
  });

  it("tells the caller only that the token is refused; which check failed is kept for the log", async () => {
    const error = await source({ authorization: `Bearer ${await sign({ sub: "u" }, { audience: "other" })}` }).catch(
      (e: unknown) => e as UnauthorizedError,
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).detail).toBe("invalid access token");
    expect((error as UnauthorizedError).reason).toMatch(/^ERR_JWT/);
  });

  it("with a revocation list, refuses tokens of an ended session or a revoked key, and tokens that name neither", async () => {
    const ended = new Set(["s-ended", "k-revoked"]);
    const checked = jwtIdentitySource({
      keys: keys!,
      issuer: "taskflow-identity",
      audience: "taskflow",
      revocations: {
        revoked: (owner) =>
          owner.sessionId && ended.has(owner.sessionId)
            ? "session"
            : owner.apiKeyId && ended.has(owner.apiKeyId)
              ? "key"
              : undefined,
      },
    });
    const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await sign(claims)}` });
    expect(await checked(await bearer({ sub: "u", sid: "s-live" }))).toMatchObject({
      userId: "u",
      sessionId: "s-live",
    });
    expect(await checked(await bearer({ sub: "u", key_id: "k-live", scope: "tasks:read" }))).toMatchObject({
      apiKeyId: "k-live",
    });
    await expect(checked(await bearer({ sub: "u", sid: "s-ended" }))).rejects.toMatchObject({
      status: 401,
      detail: expect.stringContaining("session has ended"),
    });
    await expect(checked(await bearer({ sub: "u", key_id: "k-revoked" }))).rejects.toMatchObject({
      detail: expect.stringContaining("revoked"),
    });
    await expect(checked(await bearer({ sub: "u" }))).rejects.toMatchObject({ status: 401 });
  });

  it("production config refuses the development identity", () => {
    expect(() => parseServiceEnv({ SERVICE_NAME: "tasks", DEV_IDENTITY: "on" })).not.toThrow();
    expect(() =>
      parseServiceEnv({
        SERVICE_NAME: "tasks",
        CLOUD_PROVIDER: "aws",
        DEV_IDENTITY: "on",
        PORT: "7001",
        DATABASE_URL: "postgres://u@h/db",
        CACHE_URL: "rediss://h:6380",
        AWS_REGION: "eu-west-1",
        JWT_JWKS_URL: "http://identity:7003/.well-known/jwks.json",
        BROKER_TOPICS: '{"task-events":"arn:t"}',
        BROKER_SUBSCRIPTIONS: '{"tasks-activity":"https://q"}',
      }),
    ).toThrow(ConfigError);
  });
});
