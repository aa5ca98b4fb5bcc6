import { timingSafeEqual } from "node:crypto";
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from "../../kernel/errors.js";
import {
  type ApiKeyRecord,
  findAccountById,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from "../data-access/identity-store.js";
import { type IdentityContext, recordAccountEvent } from "./accounts.js";
import {
  API_KEY_REVOKED,
  API_KEY_SCOPES,
  API_KEY_TOKEN_TTL_SECONDS,
  apiKeyRevokedData,
  createApiKeySecret,
  parseApiKey,
} from "./api-key.js";
import { signAccessToken } from "./tokens.js";

/** API keys: created by a signed-in user, shown once, exchanged for short-lived scoped tokens. */

export interface PublicApiKey {
  readonly id: string;
  readonly name: string;
  readonly scopes: string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revoked: boolean;
}

const toPublic = (key: ApiKeyRecord): PublicApiKey => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  createdAt: key.createdAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revoked: key.revokedAt !== null,
});

export async function createApiKey(
  ctx: IdentityContext,
  accountId: string,
  input: { name: string; scopes: readonly string[] },
): Promise<PublicApiKey & { key: string }> {
  const unknown = input.scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new ValidationError(`unknown scopes: ${unknown.join(", ")}`, [
      { field: "body.scopes", message: `each scope must be one of ${API_KEY_SCOPES.join(", ")}` },
    ]);
  }
  const secret = createApiKeySecret();
  const record = await insertApiKey(ctx.db, {
    id: secret.id,
    accountId,
    name: input.name,
    digest: secret.digest,
    scopes: [...new Set(input.scopes)],
  });
  return { ...toPublic(record), key: secret.key };
}

export async function listKeys(ctx: IdentityContext, accountId: string): Promise<PublicApiKey[]> {
  return (await listApiKeys(ctx.db, accountId)).map(toPublic);
}

/** Revokes the key and, in the same transaction, publishes `api-key-revoked` through the outbox. */
export async function revokeKey(ctx: IdentityContext, accountId: string, id: string): Promise<void> {
  const revoked = await ctx.db.transaction(async (tx) => {
    if (!(await revokeApiKey(tx, accountId, id, ctx.now?.() ?? new Date()))) return false;
    await recordAccountEvent(tx, accountId, accountId, API_KEY_REVOKED, apiKeyRevokedData(id, accountId));
    return true;
  });
  if (!revoked) throw new NotFoundError("API key", id);
  ctx.notifyRelay?.();
}

/**
 * Exchanges an API key for an access token limited to the key's scopes. The gateway does this
 * once per key and caches the token, so upstream services only ever see signed tokens.
 */
export async function exchangeApiKey(
  ctx: IdentityContext,
  presented: string,
): Promise<{ tokenType: "Bearer"; accessToken: string; expiresIn: number; scope: string }> {
  const parsed = parseApiKey(presented);
  const record = parsed && (await findApiKey(ctx.db, parsed.id));
  const matches =
    parsed !== undefined &&
    record !== undefined &&
    record.digest.length === parsed.digest.length &&
    timingSafeEqual(Buffer.from(record.digest), Buffer.from(parsed.digest));
  if (!record || !matches || record.revokedAt !== null) throw new UnauthorizedError("invalid or revoked API key");
  const account = await findAccountById(ctx.db, record.accountId);
  if (!account || account.status === "inactive") throw new ForbiddenError("the account of this API key is deactivated");
  await touchApiKey(ctx.db, record.id, ctx.now?.() ?? new Date());
  const scope = record.scopes.join(" ");
  const accessToken = await signAccessToken(
    ctx.key,
    ctx.tokens,
    { sub: account.id, email: account.email, roles: ["user"], scope, apiKeyId: record.id },
    API_KEY_TOKEN_TTL_SECONDS,
  );
  return { tokenType: "Bearer", accessToken, expiresIn: API_KEY_TOKEN_TTL_SECONDS, scope };
}
