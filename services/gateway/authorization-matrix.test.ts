import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_SCOPES } from "../identity/domain/api-key.js";
import { GATEWAY_ROUTES, type GatewayRoute } from "./route-table.js";
import { type GatewayHarness, startGatewayHarness } from "./test-upstreams.js";

/**
 * Every route of the gateway's table × every kind of caller, with the status each must get.
 * The rows come from the table itself, so a route added to `platform.ts` is checked here the
 * moment it exists; which routes are public or admin-only is written out below, so a route
 * that changes its access fails until this list changes with it.
 */

const PUBLIC = new Set([
  "/auth/register",
  "/auth/login",
  "/auth/refresh",
  "/auth/logout",
  "/auth/token",
  "/.well-known",
]);
const ADMIN = new Set(["/auth/accounts"]);
/** Routes an API key can never use, whatever its scopes: managing sessions and keys. */
const NO_API_KEYS = new Set(["/auth", "/api-keys"]);

const OWNER = "owner-1";
const OTHER = "other-2";
const ADMIN_USER = "admin-3";
const CALLERS = [
  "anonymous",
  "another user",
  "owner",
  "admin",
  "API key with scope",
  "API key without scope",
  "revoked API key",
  "token of a revoked API key",
  "signed-out session",
  "revoked session",
] as const;
/** Credentials that have ended: refused wherever they are presented, public routes included. */
const ENDED = new Set<CallerKind>([
  "revoked API key",
  "token of a revoked API key",
  "signed-out session",
  "revoked session",
]);
type CallerKind = (typeof CALLERS)[number];

/** The requests a route is exercised with: a read and a write of a resource the owner owns. */
function samples(route: GatewayRoute): { method: string; path: string; body?: unknown }[] {
  const owned = `owned-by-${OWNER}`;
  if (route.kind === "view") return [{ method: "GET", path: `/api/v1${route.path.replace(":id", owned)}` }];
  if (route.path === "/auth/token")
    return [{ method: "POST", path: "/api/v1/auth/token", body: { apiKey: "key-all-scopes" } }];
  if (PUBLIC.has(route.path)) return [{ method: "POST", path: `/api/v1${route.path}` }];
  return [
    { method: "GET", path: `/api/v1${route.path}/${owned}` },
    { method: "POST", path: `/api/v1${route.path}/${owned}` },
  ];
}

/** What each caller must get: "2xx", or an exact status. */
function expected(route: GatewayRoute, caller: CallerKind): "2xx" | number {
  if (ENDED.has(caller)) return 401;
  if (PUBLIC.has(route.path)) return "2xx";
  if (caller === "anonymous") return 401;
  if (ADMIN.has(route.path)) return caller === "admin" ? "2xx" : 403;
  if (caller.startsWith("API key") && (NO_API_KEYS.has(route.path) || caller === "API key without scope")) return 403;
  // Only the dashboard has no resource id: every user sees their own.
  if (caller === "another user" && route.path !== "/dashboard") return 404;
  return "2xx";
}

const apiKeys: Record<string, { userId: string; scope: string }> = {
  "key-all-scopes": { userId: OWNER, scope: API_KEY_SCOPES.join(" ") },
  "key-revoked": { userId: OWNER, scope: API_KEY_SCOPES.join(" ") },
};
/** As identity's revocation list names them: the owner signed out of one session, another was revoked (a replayed refresh token), one key was revoked. */
const ENDED_SESSIONS = new Set(["owner-signed-out", "owner-revoked"]);
const REVOKED_KEYS = new Set(["key-revoked"]);
for (const service of ["tasks", "users", "notifications", "identity"]) {
  apiKeys[`key-without-${service}`] = {
    userId: OWNER,
    scope: API_KEY_SCOPES.filter((s) => !s.startsWith(`${service}:`)).join(" "),
  };
}

let harness: GatewayHarness;
const headers: Partial<Record<CallerKind, Record<string, string>>> = {};

beforeAll(async () => {
  harness = await startGatewayHarness({
    apiKeys,
    revocations: {
      revoked: (owner) =>
        owner.sessionId !== undefined && ENDED_SESSIONS.has(owner.sessionId)
          ? "session"
          : owner.apiKeyId !== undefined && REVOKED_KEYS.has(owner.apiKeyId)
            ? "key"
            : undefined,
    },
    gateway: { rateLimit: { limit: 100_000, windowMs: 60_000 }, authRateLimit: { limit: 100_000, windowMs: 60_000 } },
  });
  headers.anonymous = {};
  headers["another user"] = { authorization: `Bearer ${await harness.token(OTHER)}` };
  headers.owner = { authorization: `Bearer ${await harness.token(OWNER)}` };
  headers.admin = { authorization: `Bearer ${await harness.token(ADMIN_USER, ["user", "admin"])}` };
  headers["API key with scope"] = { "x-api-key": "key-all-scopes" };
  headers["revoked API key"] = { "x-api-key": "key-revoked" };
  const exchanged = await fetch(`${harness.base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apiKey: "key-revoked" }),
  });
  headers["token of a revoked API key"] = {
    authorization: `Bearer ${((await exchanged.json()) as { accessToken: string }).accessToken}`,
  };
  headers["signed-out session"] = {
    authorization: `Bearer ${await harness.token(OWNER, ["user"], "owner-signed-out")}`,
  };
  headers["revoked session"] = { authorization: `Bearer ${await harness.token(OWNER, ["user"], "owner-revoked")}` };
});
afterAll(() => harness?.close());

describe("authorization matrix", () => {
  it("covers every route of the table", () => {
    expect(GATEWAY_ROUTES.length).toBeGreaterThanOrEqual(14);
    for (const path of [...PUBLIC, ...ADMIN, ...NO_API_KEYS]) {
      expect(
        GATEWAY_ROUTES.map((r) => r.path),
        `${path} is listed here but not served`,
      ).toContain(path);
    }
  });

  for (const route of GATEWAY_ROUTES) {
    for (const sample of samples(route)) {
      it(`${sample.method} ${route.path} (${route.kind} → ${route.services.join(", ")})`, async () => {
        const got: Record<string, number> = {};
        const want: Record<string, "2xx" | number> = {};
        for (const caller of CALLERS) {
          const callerHeaders =
            caller === "API key without scope" ? { "x-api-key": `key-without-${route.services[0]}` } : headers[caller]!;
          const res = await fetch(`${harness.base}${sample.path}`, {
            method: sample.method,
            headers: { "content-type": "application/json", ...callerHeaders },
            ...(sample.method === "GET" ? {} : { body: JSON.stringify(sample.body ?? {}) }),
          });
          await res.arrayBuffer();
          const expectation = expected(route, caller);
          got[caller] = res.status;
          want[caller] = expectation;
          if (expectation === "2xx" && res.status >= 200 && res.status < 300) got[caller] = "2xx" as unknown as number;
        }
        expect(got).toEqual(want);
      });
    }
  }
});
