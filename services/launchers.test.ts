import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCache } from "../adapters/memory/cache.js";
import { MemoryBroker } from "../adapters/memory/message-broker.js";
import { LAUNCHERS, type Launched } from "./launchers.js";

/**
 * Identity as a cloud stack starts it: its own key in JWT_PRIVATE_KEY and no JWKS URL (it is
 * the service that publishes one). Its own authenticated routes must still accept its tokens.
 */
describe("identity launched with a cloud's environment", () => {
  let dir: string;
  let identity: Launched;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-identity-"));
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" });
    identity = await LAUNCHERS.identity({
      env: {
        CLOUD_PROVIDER: "aws",
        SERVICE_NAME: "identity",
        PORT: "7003",
        AWS_REGION: "eu-west-1",
        LOG_LEVEL: "silent",
        // Checked by the env contract; the test hands identity an in-memory cache and broker.
        CACHE_URL: "rediss://:token@cache.internal:6379",
        DATABASE_URL: `pglite:${join(dir, "identity")}`,
        JWT_PRIVATE_KEY: key.toString(),
        BROKER_TOPICS: JSON.stringify({ "identity-events": "identity-events" }),
        BROKER_SUBSCRIPTIONS: JSON.stringify({ "identity-user-events": "identity-user-events" }),
      },
      broker: new MemoryBroker(),
      cache: new MemoryCache(),
      port: 0,
    });
  }, 30_000);
  afterAll(async () => {
    await identity?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts the access tokens it signs on its own routes (creating an API key)", async () => {
    const base = `http://127.0.0.1:${identity.port}/api/v1`;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    const account = { email: "carol@example.test", password: "a long enough passphrase", displayName: "Carol" };
    expect((await post("/auth/register", account)).status).toBe(201);
    const login = (await (await post("/auth/login", account)).json()) as { accessToken: string };
    const key = await post(
      "/api-keys",
      { name: "ci", scopes: ["tasks:read"] },
      {
        authorization: `Bearer ${login.accessToken}`,
      },
    );
    expect(key.status).toBe(201);
  });
});
