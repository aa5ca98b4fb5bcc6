import { z } from "zod";
import type { RequestHeaders } from "../../kernel/auth/caller.js";
import { ForbiddenError } from "../../kernel/errors.js";
import { type AnyRoute, route } from "../../kernel/http/route.js";
import { listAccounts } from "../data-access/identity-store.js";
import { type IdentityContext, login, logout, publicAccount, refresh, register } from "../domain/accounts.js";
import { API_KEY_SCOPES } from "../domain/api-key.js";
import { createApiKey, exchangeApiKey, listKeys, revokeKey } from "../domain/api-keys.js";

/** Identity's HTTP API, declared once for express and for the OpenAPI document. */

const email = z.string().trim().email().max(254);
/** Long enough to resist guessing; the upper bound keeps one scrypt call cheap to refuse. */
const password = z.string().min(10).max(128);

const accountSchema = z.object({
  id: z.string().uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(["user", "admin"])),
  status: z.enum(["active", "inactive", "locked"]),
  createdAt: z.string(),
});
const tokenPairSchema = z.object({
  tokenType: z.literal("Bearer"),
  accessToken: z.string(),
  expiresIn: z.number().int(),
  refreshToken: z.string(),
});
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
});
const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const noStore = { "cache-control": "no-store" };

export function identityRoutes(ctx: IdentityContext): AnyRoute[] {
  return [
    route({
      method: "post",
      path: "/auth/register",
      summary: "Create an account; the users service then creates its profile",
      tag: "auth",
      auth: false,
      body: z.object({ email, password, displayName: z.string().trim().min(3).max(50) }),
      responses: { 201: { description: "Account created", schema: accountSchema } },
      handler: async ({ body }) => {
        const account = await register(ctx, body);
        return { status: 201, body: account, location: `/api/v1/auth/accounts/${account.id}` };
      },
    }),
    route({
      method: "post",
      path: "/auth/login",
      summary: "Exchange email and password for an access token and a refresh token",
      tag: "auth",
      auth: false,
      body: z.object({ email, password: z.string().min(1).max(128) }),
      responses: { 200: { description: "Signed in", schema: tokenPairSchema } },
      handler: async ({ body, headers }) => ({
        status: 200,
        body: await login(ctx, { ...body, client: clientAddress(headers) }),
        headers: noStore,
      }),
    }),
    route({
      method: "post",
      path: "/auth/refresh",
      summary: "Rotate a refresh token; reusing an old one revokes the whole session",
      tag: "auth",
      auth: false,
      body: refreshBody,
      responses: { 200: { description: "New token pair", schema: tokenPairSchema } },
      handler: async ({ body }) => ({ status: 200, body: await refresh(ctx, body.refreshToken), headers: noStore }),
    }),
    route({
      method: "post",
      path: "/auth/logout",
      summary: "End the session a refresh token belongs to",
      tag: "auth",
      auth: false,
      body: refreshBody,
      responses: { 204: { description: "Signed out" } },
      handler: async ({ body }) => {
        await logout(ctx, body.refreshToken);
        return { status: 204 };
      },
    }),
    route({
      method: "post",
      path: "/auth/token",
      summary: "Exchange an API key for a short-lived access token limited to its scopes",
      tag: "auth",
      auth: false,
      body: z.object({ apiKey: z.string().min(1).max(200) }),
      responses: {
        200: {
          description: "Scoped token",
          schema: z.object({
            tokenType: z.literal("Bearer"),
            accessToken: z.string(),
            expiresIn: z.number(),
            scope: z.string(),
          }),
        },
      },
      handler: async ({ body }) => ({ status: 200, body: await exchangeApiKey(ctx, body.apiKey), headers: noStore }),
    }),
    route({
      method: "get",
      path: "/auth/accounts",
      summary: "List accounts (admins only)",
      tag: "auth",
      query: z.object({
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(100).default(20),
      }),
      responses: {
        200: {
          description: "A page of accounts",
          schema: z.object({
            items: z.array(accountSchema),
            page: z.number(),
            pageSize: z.number(),
            total: z.number(),
          }),
        },
      },
      handler: async ({ caller, query }) => {
        if (!caller.roles.includes("admin") || caller.scopes)
          throw new ForbiddenError("listing accounts needs the admin role");
        const { items, total } = await listAccounts(ctx.db, query.page, query.pageSize);
        return {
          status: 200,
          body: { items: items.map((a) => publicAccount(a)), page: query.page, pageSize: query.pageSize, total },
        };
      },
    }),
    route({
      method: "post",
      path: "/api-keys",
      summary: "Create an API key; the key is shown in this response only",
      tag: "api-keys",
      body: z.object({
        name: z.string().trim().min(1).max(50),
        scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
      }),
      responses: { 201: { description: "Key created", schema: apiKeySchema.extend({ key: z.string() }) } },
      handler: async ({ caller, body }) => {
        userTokenOnly(caller.scopes);
        const created = await createApiKey(ctx, caller.userId, body);
        return { status: 201, body: created, location: `/api/v1/api-keys/${created.id}`, headers: noStore };
      },
    }),
    route({
      method: "get",
      path: "/api-keys",
      summary: "List your API keys (without the keys themselves)",
      tag: "api-keys",
      responses: { 200: { description: "Your keys", schema: z.object({ items: z.array(apiKeySchema) }) } },
      handler: async ({ caller }) => {
        userTokenOnly(caller.scopes);
        return { status: 200, body: { items: await listKeys(ctx, caller.userId) } };
      },
    }),
    route({
      method: "delete",
      path: "/api-keys/:id",
      summary: "Revoke an API key",
      tag: "api-keys",
      params: z.object({ id: z.string().min(1).max(40) }),
      responses: { 204: { description: "Revoked" } },
      handler: async ({ caller, params }) => {
        userTokenOnly(caller.scopes);
        await revokeKey(ctx, caller.userId, params.id);
        return { status: 204 };
      },
    }),
  ];
}

/**
 * The client a sign-in comes from, for its throttle: the address the gateway forwards in
 * `x-forwarded-for` (it drops whatever the client sent there). A caller on the internal
 * network that reaches identity's port directly is trusted with it, as with everything else.
 */
function clientAddress(headers: RequestHeaders): string {
  const forwarded = headers["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first ? first.slice(0, 64) : "direct";
}

/** Keys cannot mint or manage keys: a leaked key must not be able to outlive its revocation. */
function userTokenOnly(scopes: readonly string[] | undefined): void {
  if (scopes) throw new ForbiddenError("API keys are managed with a signed-in user's token, not with an API key");
}
