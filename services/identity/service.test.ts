import { Writable } from "node:stream";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBroker } from "../../adapters/memory/message-broker.js";
import { jwtIdentitySource } from "../kernel/auth/caller.js";
import type { Database } from "../kernel/db/database.js";
import { openTestDatabase } from "../kernel/db/testing.js";
import { createOutboxRelay, type OutboxRelay } from "../kernel/messaging/outbox-relay.js";
import { createLogger } from "../kernel/observability/logger.js";
import { listen } from "../kernel/runtime.js";
import { login, register } from "./domain/accounts.js";
import { MAX_FAILED_LOGINS } from "./domain/lockout.js";
import { DEFAULT_SCRYPT_COST } from "./domain/password.js";
import { generateSigningKeyPem, signingKeyFromPem } from "./domain/signing-key.js";
import { createIdentityService, IDENTITY_MIGRATIONS, type IdentityService, localVerificationKeys } from "./service.js";

/** Identity end to end over HTTP, on an embedded database, with every log line and event captured. */

const logLines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});
const published: string[] = [];
let db: Database;
let relay: OutboxRelay;
let service: IdentityService;
let base: string;
let server: { close(): Promise<void> };
const broker = new MemoryBroker();
const INVALID_LOGIN_TEXT = "invalid email or password";
/** Real time plus whatever a test skips ahead, so waits between guesses need no sleeping. */
const clock = (() => {
  let offset = 0;
  let frozen: Date | undefined;
  return {
    now: () => frozen ?? new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms;
    },
    /** Stops the clock (or starts it again), so waits cannot run out between two attempts that are compared. */
    freeze(on: boolean) {
      frozen = on ? new Date(Date.now() + offset) : undefined;
    },
  };
})();

beforeAll(async () => {
  const key = await signingKeyFromPem(generateSigningKeyPem());
  db = await openTestDatabase("pglite", [IDENTITY_MIGRATIONS]);
  relay = createOutboxRelay({ db, broker, pollMs: 50 });
  relay.start();
  const tokens = { JWT_ISSUER: "taskflow-identity", JWT_AUDIENCE: "taskflow" };
  const deps = {
    db,
    broker,
    log: createLogger({ service: "identity", level: "debug", destination: capture }),
    identity: jwtIdentitySource({
      keys: localVerificationKeys(key),
      issuer: tokens.JWT_ISSUER,
      audience: tokens.JWT_AUDIENCE,
    }),
    readiness: [],
    topicName: (t: string) => t,
    subscriptionName: (s: string) => s,
    env: tokens,
    notifyRelay: () => relay.notify(),
  };
  await broker.subscribe("identity-events", `capture-${Date.now()}`, (message) => {
    published.push(JSON.stringify(message));
  });
  service = await createIdentityService(deps, {
    key,
    now: () => clock.now(),
    scrypt: { N: 1024, r: 8, p: 1 },
    adminEmails: ["root@example.test"],
  });
  const listening = await listen(service.app, 0);
  server = listening;
  base = `http://127.0.0.1:${listening.port}`;
});

afterAll(async () => {
  await service?.stop();
  await server?.close();
  await relay?.stop();
  await db?.close();
  await broker.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

let n = 0;
const newUser = () => ({
  email: `user${++n}-${Date.now()}@example.test`,
  password: `pw-${n}-very-secret-phrase`,
  displayName: `User ${n}`,
});

describe("identity", () => {
  it("registers, logs in with an ES256 token whose key is in the JWKS, and refuses a duplicate email", async () => {
    const user = newUser();
    const created = await post("/auth/register", user);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: user.email, roles: ["user"], status: "active" });
    expect((await post("/auth/register", { ...user, email: user.email.toUpperCase() })).status).toBe(409);
    const login = await post("/auth/login", user);
    expect(login.status).toBe(200);
    expect(login.headers.get("cache-control")).toBe("no-store");
    const { kid } = decodeProtectedHeader(login.body.accessToken);
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([kid]);
  });

  const from = (client: string) => ({ "x-forwarded-for": client });
  /** The parts of a problem a caller compares; instance and request id differ per request anyway. */
  const shape = (answer: { status: number; body: Record<string, unknown>; headers: Headers }) => ({
    status: answer.status,
    type: answer.body.type,
    title: answer.body.title,
    detail: answer.body.detail,
    retryAfter: answer.headers.get("retry-after"),
  });

  it("throttles failed logins per account and client: the guessing client waits, then is locked out; another client signs in", async () => {
    const user = newUser();
    await post("/auth/register", user);
    const wrong = { ...user, password: "wrong-password!" };
    const attacker = from("203.0.113.7");
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const answer = await post("/auth/login", wrong, attacker);
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
        clock.advance(Number(answer.headers.get("retry-after")) * 1000);
        i--;
      }
    }
    // Free at first, then a growing wait between guesses.
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses).toContain(429);
    const locked = await post("/auth/login", user, attacker);
    expect(locked.status).toBe(429);
    expect(locked.body.detail).toContain("this client");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThanOrEqual(10 * 60);
    // The owner, from anywhere else, is not locked out.
    expect((await post("/auth/login", user, from("198.51.100.2"))).status).toBe(200);
    expect((await post("/auth/login", user)).status).toBe(200);
  });

  it("answers an unknown email exactly as a known one: same status, body and comparable timing, throttled alike", async () => {
    const known = newUser();
    await post("/auth/register", known);
    const unknown = { email: `nobody-${Date.now()}@example.test`, password: "wrong-password!" };
    clock.freeze(true);
    for (let round = 0; round < MAX_FAILED_LOGINS + 2; round++) {
      const known401 = shape(await post("/auth/login", { ...known, password: "wrong-password!" }, from("192.0.2.9")));
      const unknown401 = shape(await post("/auth/login", unknown, from("192.0.2.9")));
      expect(unknown401, `attempt ${round + 1}`).toEqual(known401);
    }
    clock.freeze(false);
    // Timing at the real scrypt cost, where the password check is most of the work: on
    // attempts that are not throttled (a new client each), a known email's wrong password and
    // an unknown email each run one check. The fastest of several is compared, which load on
    // a shared machine can only slow down.
    const real = { ...service.context, scrypt: DEFAULT_SCRYPT_COST };
    const account = await register(real, { ...newUser(), password: "the real cost passphrase" });
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 7; i++) {
      for (const who of ["known", "unknown"] as const) {
        const email = who === "known" ? account.email : `nobody-${i}-${Date.now()}@example.test`;
        const started = performance.now();
        await expect(login(real, { email, password: "wrong-password!", client: `198.18.0.${i}` })).rejects.toThrow(
          INVALID_LOGIN_TEXT,
        );
        times[who].push(performance.now() - started);
      }
    }
    const [k, u] = [Math.min(...times.known), Math.min(...times.unknown)];
    expect(Math.abs(k - u), `fastest ${k.toFixed(1)} ms known vs ${u.toFixed(1)} ms unknown`).toBeLessThan(
      0.5 * Math.max(k, u),
    );
    console.info(
      `[identity] wrong password at the real cost, fastest of 7: known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`,
    );
  }, 60_000);

  it("says an account is deactivated only to a caller who knows its password", async () => {
    const user = newUser();
    const created = await post("/auth/register", user);
    await db.query("UPDATE accounts SET status = 'inactive' WHERE id = $1", [created.body.id]);
    const guess = await post("/auth/login", { ...user, password: "wrong-password!" }, from("192.0.2.10"));
    const nobody = await post(
      "/auth/login",
      { email: `x-${Date.now()}@example.test`, password: "wrong-password!" },
      from("192.0.2.10"),
    );
    expect(shape(guess)).toEqual(shape(nobody));
    expect((await post("/auth/login", user, from("192.0.2.10"))).body.detail).toContain("deactivated");
  });

  it("rotates refresh tokens; reusing an old one revokes the whole family", async () => {
    const user = newUser();
    await post("/auth/register", user);
    const first = (await post("/auth/login", user)).body;
    const second = await post("/auth/refresh", { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const reuse = await post("/auth/refresh", { refreshToken: first.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.detail).toContain("revoked");
    // The thief's reuse also ends the legitimate holder's newer token.
    expect((await post("/auth/refresh", { refreshToken: second.body.refreshToken })).status).toBe(401);
    // Other logins of the same user are other families and keep working.
    const other = (await post("/auth/login", user)).body;
    expect((await post("/auth/refresh", { refreshToken: other.refreshToken })).status).toBe(200);
  });

  it("ends a session on logout", async () => {
    const user = newUser();
    await post("/auth/register", user);
    const pair = (await post("/auth/login", user)).body;
    expect((await post("/auth/logout", { refreshToken: pair.refreshToken })).status).toBe(204);
    expect((await post("/auth/refresh", { refreshToken: pair.refreshToken })).status).toBe(401);
  });

  it("creates API keys shown once, exchanges them for scoped tokens, and refuses them once revoked", async () => {
    const user = newUser();
    await post("/auth/register", user);
    const auth = { authorization: `Bearer ${(await post("/auth/login", user)).body.accessToken}` };
    const created = await post("/api-keys", { name: "ci", scopes: ["tasks:read"] }, auth);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^tfk_/);
    const listed = await (await fetch(`${base}/api/v1/api-keys`, { headers: auth })).text();
    expect(listed).not.toContain(created.body.key);
    const token = await post("/auth/token", { apiKey: created.body.key });
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe("tasks:read");
    const viaKey = { authorization: `Bearer ${token.body.accessToken}` };
    expect((await post("/api-keys", { name: "escalate", scopes: ["tasks:write"] }, viaKey)).status).toBe(403);
    const revoked = await fetch(`${base}/api/v1/api-keys/${created.body.id}`, { method: "DELETE", headers: auth });
    expect(revoked.status).toBe(204);
    expect((await post("/auth/token", { apiKey: created.body.key })).status).toBe(401);
    const again = await fetch(`${base}/api/v1/api-keys/${created.body.id}`, { method: "DELETE", headers: auth });
    expect(again.status).toBe(404);
  });

  it("publishes a key's revocation with its id and account, never its secret or digest", async () => {
    const user = newUser();
    const account = (await post("/auth/register", user)).body;
    const auth = { authorization: `Bearer ${(await post("/auth/login", user)).body.accessToken}` };
    const created = (await post("/api-keys", { name: "ci", scopes: ["tasks:read"] }, auth)).body;
    await fetch(`${base}/api/v1/api-keys/${created.id}`, { method: "DELETE", headers: auth });
    const revocation = () => published.find((m) => m.includes('"api-key-revoked"') && m.includes(created.id));
    await expect.poll(revocation, { timeout: 3_000 }).toBeDefined();
    expect(JSON.parse(revocation()!).body.data).toEqual({ keyId: created.id, userId: account.id });
    const [row] = await db.query<{ digest: string }>("SELECT digest FROM api_keys WHERE id = $1", [created.id]);
    const secret = (created.key as string).split("_").slice(2).join("_");
    const everything = [...logLines, ...published].join("\n");
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(row!.digest);
  });

  it("lets only admins list accounts", async () => {
    const admin = { ...newUser(), email: "root@example.test" };
    await post("/auth/register", admin);
    const user = newUser();
    await post("/auth/register", user);
    const as = async (u: { email: string; password: string }) => ({
      authorization: `Bearer ${(await post("/auth/login", u)).body.accessToken}`,
    });
    expect((await fetch(`${base}/api/v1/auth/accounts`, { headers: await as(user) })).status).toBe(403);
    const page = await fetch(`${base}/api/v1/auth/accounts`, { headers: await as(admin) });
    expect(page.status).toBe(200);
    expect(((await page.json()) as { total: number }).total).toBeGreaterThanOrEqual(2);
  });

  it("deactivates the account when users reports that the profile could not be created", async () => {
    const user = newUser();
    const created = (await post("/auth/register", user)).body;
    const pair = (await post("/auth/login", user)).body;
    const auth = { authorization: `Bearer ${pair.accessToken}` };
    const key = (await post("/api-keys", { name: "ci", scopes: ["tasks:read"] }, auth)).body;
    await broker.publish("user-events", {
      key: `profile:${created.id}`,
      body: {
        eventId: crypto.randomUUID(),
        streamId: `profile:${created.id}`,
        version: 1,
        type: "profile-creation-failed",
        data: { userId: created.id, reason: "display name taken" },
        actor: "system:users",
        occurredAt: new Date().toISOString(),
      },
    });
    await expect
      .poll(async () => (await post("/auth/login", user)).body.detail, { timeout: 3_000 })
      .toContain("deactivated");
    expect((await post("/auth/refresh", { refreshToken: pair.refreshToken })).status).toBe(401);
    expect((await post("/auth/token", { apiKey: key.key })).status).toBe(401);
    await expect
      .poll(() => published.some((m) => m.includes('"api-key-revoked"') && m.includes(key.id)), { timeout: 3_000 })
      .toBe(true);
  });

  it("never puts a password or a password hash in a log line or an event", async () => {
    const user = newUser();
    await post("/auth/register", user);
    await post("/auth/login", user);
    await post("/auth/login", { ...user, password: "a-wrong-password" });
    await relay.flush();
    await expect.poll(() => published.some((m) => m.includes(user.email)), { timeout: 3_000 }).toBe(true);
    const [row] = await db.query<{ password_hash: string }>("SELECT password_hash FROM accounts WHERE email = $1", [
      user.email,
    ]);
    const hash = row!.password_hash;
    const everything = [...logLines, ...published].join("\n");
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(user.password);
    expect(everything).not.toContain("a-wrong-password");
    expect(everything).not.toContain(hash);
    expect(everything).not.toContain(hash.split("$")[5]!);
  });
});
