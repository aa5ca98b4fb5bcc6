import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCache } from "../../adapters/memory/cache.js";
import { MemoryBroker } from "../../adapters/memory/message-broker.js";
import { generateSigningKeyPem, signingKeyFromPem } from "../identity/domain/signing-key.js";
import {
  createIdentityService,
  IDENTITY_MIGRATIONS,
  type IdentityService,
  localVerificationKeys,
} from "../identity/service.js";
import { jwtIdentitySource } from "../kernel/auth/caller.js";
import type { Database } from "../kernel/db/database.js";
import { openTestDatabase } from "../kernel/db/testing.js";
import { createLogger } from "../kernel/observability/logger.js";
import { listen } from "../kernel/runtime.js";
import { createGateway } from "./app.js";
import { CSRF_COOKIE, REFRESH_COOKIE } from "./session.js";

/**
 * Browser sign-in through the gateway in front of the real identity service: the refresh
 * token only ever in an HttpOnly cookie, CSRF checks on the cookie routes, and identity's
 * rotation, reuse detection and revocation working through them.
 */

let db: Database;
let identity: IdentityService;
const closers: (() => unknown)[] = [];
let base: string;
const email = "browser@example.test";
const password = "correct horse battery";

beforeAll(async () => {
  const key = await signingKeyFromPem(generateSigningKeyPem());
  db = await openTestDatabase("pglite", [IDENTITY_MIGRATIONS]);
  const tokens = { JWT_ISSUER: "taskflow-identity", JWT_AUDIENCE: "taskflow" };
  const verify = jwtIdentitySource({
    keys: localVerificationKeys(key),
    issuer: tokens.JWT_ISSUER,
    audience: tokens.JWT_AUDIENCE,
  });
  const broker = new MemoryBroker();
  identity = await createIdentityService(
    {
      db,
      broker,
      log: createLogger({ service: "identity", level: "silent" }),
      identity: verify,
      readiness: [],
      topicName: (t: string) => t,
      subscriptionName: (s: string) => s,
      env: tokens,
      notifyRelay: () => {},
    },
    { key, scrypt: { N: 1024, r: 8, p: 1 } },
  );
  const identityServer = await listen(identity.app, 0);
  const unused = "http://127.0.0.1:9";
  const gateway = createGateway({
    upstreams: {
      identity: `http://127.0.0.1:${identityServer.port}`,
      tasks: unused,
      users: unused,
      notifications: unused,
    },
    cache: new MemoryCache({ namespace: `session-${randomUUID()}` }),
    identity: verify,
    log: createLogger({ service: "gateway", level: "silent" }),
    webDir: false,
  });
  const gatewayServer = await listen(gateway.app, 0);
  base = `http://127.0.0.1:${gatewayServer.port}`;
  closers.push(
    gatewayServer.close,
    () => gateway.close(),
    () => identity.stop(),
    identityServer.close,
    () => db.close(),
    () => broker.close(),
  );
  const reg = await fetch(`${base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, displayName: "Browser" }),
  });
  expect(reg.status).toBe(201);
});
afterAll(async () => {
  for (const close of closers) await close();
});

interface Jar {
  refresh?: string;
  csrf?: string;
}

function take(res: Response, jar: Jar): string[] {
  const set = res.headers.getSetCookie();
  for (const line of set) {
    const [pair] = line.split(";");
    const [name, value] = pair!.split("=");
    if (name === REFRESH_COOKIE) jar.refresh = value;
    if (name === CSRF_COOKIE) jar.csrf = value;
  }
  return set;
}

const cookieHeader = (jar: Jar) => `${REFRESH_COOKIE}=${jar.refresh ?? ""}; ${CSRF_COOKIE}=${jar.csrf ?? ""}`;

async function signIn(jar: Jar) {
  const res = await fetch(`${base}/api/v1/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return { res, body: (await res.json()) as Record<string, unknown>, cookies: take(res, jar) };
}

const refresh = (jar: Jar, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/v1/auth/session/refresh`, {
    method: "POST",
    headers: { cookie: cookieHeader(jar), "x-csrf-token": jar.csrf ?? "", ...headers },
  });

describe("gateway: browser session", () => {
  it("signs in with the refresh token in an HttpOnly, Secure, SameSite=Strict cookie scoped to the session path", async () => {
    const jar: Jar = {};
    const { res, body, cookies } = await signIn(jar);
    expect(res.status).toBe(200);
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body).not.toHaveProperty("refreshToken");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const refreshCookie = cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`))!;
    expect(refreshCookie).toContain("HttpOnly");
    expect(refreshCookie).toContain("Secure");
    expect(refreshCookie).toContain("SameSite=Strict");
    expect(refreshCookie).toContain("Path=/api/v1/auth/session;");
    const csrfCookie = cookies.find((c) => c.startsWith(`${CSRF_COOKIE}=`))!;
    expect(csrfCookie).not.toContain("HttpOnly");
    expect(jar.csrf!.length).toBeGreaterThan(20);
  });

  it("shows identity's own problem for a wrong password", async () => {
    const res = await fetch(`${base}/api/v1/auth/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "wrong password" }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/email or password/i);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a refresh without the CSRF token, with a different one, or from another origin", async () => {
    const jar: Jar = {};
    await signIn(jar);
    expect((await refresh(jar, { "x-csrf-token": "" })).status).toBe(403);
    expect((await refresh(jar, { "x-csrf-token": `${jar.csrf}x` })).status).toBe(403);
    expect((await refresh(jar, { origin: "https://evil.example" })).status).toBe(403);
    const ok = await refresh(jar, { origin: base });
    expect(ok.status).toBe(200);
  });

  it("rotates on refresh; replaying the old cookie ends the whole session (identity's reuse detection)", async () => {
    const jar: Jar = {};
    await signIn(jar);
    const first = jar.refresh!;
    const rotated = await refresh(jar);
    expect(rotated.status).toBe(200);
    take(rotated, jar);
    expect(jar.refresh).not.toBe(first);
    const current = { ...jar };

    const replay = await refresh({ refresh: first, csrf: jar.csrf! });
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH_COOKIE}=;`))).toBe(true);
    // The rotated token went with the session it belonged to.
    expect((await refresh(current)).status).toBe(401);
  });

  it("signs out: the session is revoked on the server and the cookies cleared", async () => {
    const jar: Jar = {};
    await signIn(jar);
    const kept = { ...jar };
    const out = await fetch(`${base}/api/v1/auth/session/logout`, {
      method: "POST",
      headers: { cookie: cookieHeader(jar), "x-csrf-token": jar.csrf! },
    });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie();
    expect(cleared.some((c) => c.startsWith(`${REFRESH_COOKIE}=;`) && c.includes("Max-Age=0"))).toBe(true);
    expect((await refresh(kept)).status).toBe(401);
  });
});
