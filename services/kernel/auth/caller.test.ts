import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../adapters/core/errors.js";
import { parseServiceEnv } from "../env.js";
import { UnauthorizedError } from "../errors.js";
import { devHeaderIdentitySource, firstOf, type IdentitySource, jwtIdentitySource } from "./caller.js";

describe("caller identity", () => {
  let sign: (
    claims: Record<string, unknown>,
    options?: { issuer?: string; audience?: string; exp?: string },
  ) => Promise<string>;
  let source: IdentitySource;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    source = jwtIdentitySource({
      keys: createLocalJWKSet({ keys: [jwk] }),
      issuer: "taskflow-identity",
      audience: "taskflow",
    });
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setIssuer(options.issuer ?? "taskflow-identity")
        .setAudience(options.audience ?? "taskflow")
        .setIssuedAt()
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
