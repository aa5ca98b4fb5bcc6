import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCache } from "../../adapters/memory/cache.js";
import { MemoryBroker } from "../../adapters/memory/message-broker.js";
import { generateSigningKeyPem, signingKeyFromPem } from "../identity/domain/signing-key.js";
import { createIdentityService, IDENTITY_MIGRATIONS, localVerificationKeys } from "../identity/service.js";
import { jwtIdentitySource } from "../kernel/auth/caller.js";
import type { Database } from "../kernel/db/database.js";
import { openTestDatabase } from "../kernel/db/testing.js";
import { createOutboxRelay, type OutboxRelay } from "../kernel/messaging/outbox-relay.js";
import { createLogger } from "../kernel/observability/logger.js";
import { listen } from "../kernel/runtime.js";
import { LAUNCHERS, type Launched } from "../launchers.js";
import { type StubUpstream, startStubUpstream, UPSTREAM_NAMES } from "./test-upstreams.js";

/**
 * An API key revoked at identity stops working through the gateway at once, not when the
 * token the gateway cached for it expires: the gateway as `npm start` launches it, the real
 * identity service with its outbox, and one in-memory broker and cache shared by both, as in
 * local mode. The other upstreams are stand-ins that verify identity's tokens.
 */

const tokens = { issuer: "taskflow-identity", audience: "taskflow" };
const broker = new MemoryBroker();
const cache = new MemoryCache({ namespace: `revocation-${randomUUID()}`, maxEntries: 10_000 });
let db: Database;
let relay: OutboxRelay;
let identity: Awaited<ReturnType<typeof createIdentityService>>;
let identityServer: { port: number; close(): Promise<void> };
let stubs: StubUpstream[];
let gateway: Launched;
let base: string;

beforeAll(async () => {
  const key = await signingKeyFromPem(generateSigningKeyPem());
  const jwtKeys = localVerificationKeys(key);
  db = await openTestDatabase("pglite", [IDENTITY_MIGRATIONS]);
  relay = createOutboxRelay({ db, broker, pollMs: 50 });
  relay.start();
  identity = await createIdentityService(
    {
      db,
      broker,
      log: createLogger({ service: "identity", level: "silent" }),
      identity: jwtIdentitySource({ keys: jwtKeys, ...tokens }),
      readiness: [],
      topicName: (t) => t,
      subscriptionName: (s) => s,
      env: { JWT_ISSUER: tokens.issuer, JWT_AUDIENCE: tokens.audience },
      notifyRelay: () => relay.notify(),
    },
    { key, scrypt: { N: 1024, r: 8, p: 1 } },
  );
  identityServer = await listen(identity.app, 0);
  stubs = await Promise.all(
    UPSTREAM_NAMES.filter((n) => n !== "identity").map((n) => startStubUpstream(n, { key, tokens })),
  );
  const upstreams = Object.fromEntries([
    ["identity", `http://127.0.0.1:${identityServer.port}`],
    ...stubs.map((s) => [s.name, `http://127.0.0.1:${s.port}`]),
  ]);
  gateway = await LAUNCHERS.gateway({
    env: { CLOUD_PROVIDER: "local", LOG_LEVEL: "silent", UPSTREAM_URLS: JSON.stringify(upstreams) },
    broker,
    cache,
    jwtKeys,
    port: 0,
  });
  base = `http://127.0.0.1:${gateway.port}/api/v1`;
});

afterAll(async () => {
  await gateway?.close();
  await identity?.stop();
  await identityServer?.close();
  await Promise.all((stubs ?? []).map((s) => s.stop()));
  await relay?.stop();
  await db?.close();
  await broker.close();
  await cache.close();
});

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("gateway: API key revocation", () => {
  it("answers 401 to a revoked key within a second, though its token was cached", async () => {
    const user = { email: `rev-${randomUUID()}@example.test`, password: "a-long-enough-password", displayName: "Rev" };
    const account = await call("POST", "/auth/register", {}, user);
    expect(account.status).toBe(201);
    const login = await call("POST", "/auth/login", {}, { email: user.email, password: user.password });
    const signedIn = { authorization: `Bearer ${login.body.accessToken}` };
    const created = await call("POST", "/api-keys", signedIn, { name: "ci", scopes: ["tasks:read"] });
    expect(created.status).toBe(201);
    const withKey = { "x-api-key": created.body.key as string };
    const board = `/boards/owned-by-${account.body.id}`;

    expect((await call("GET", board, withKey)).status).toBe(200);
    expect((await call("GET", board, withKey)).status).toBe(200);
    expect((await call("DELETE", `/api-keys/${created.body.id}`, signedIn)).status).toBe(204);

    const revokedAt = Date.now();
    await expect
      .poll(async () => (await call("GET", board, withKey)).status, { timeout: 1_000, interval: 20 })
      .toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    // Still refused later: nothing caches the key's token again.
    expect((await call("GET", board, withKey)).status).toBe(401);
  });

  it("reports the broker and the cache on /health/ready, as the other services do", async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}/health/ready`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: unknown }).checks).toEqual({ broker: "ok", cache: "ok" });
  });
});
